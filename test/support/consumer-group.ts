import { randomBytes } from 'node:crypto';
import { NOTIFICATIONS_GROUP_ID } from '../../apps/notifications/src/notifications.settings';
import { belongsTo, Offsets, scanTopic, testKafka, topicEnds } from './kafka-probe';

/** A consumer group of one fault test file, positioned at the end of the topic when created. */
export interface IsolatedGroup {
  groupId: string;
  /** Environment for the notifications apps of the test: `KAFKA_CONSUMER_GROUP`. */
  env: { KAFKA_CONSUMER_GROUP: string };
  /**
   * Deletes the group (best effort: waits up to 45 s for it to be empty), then hands the test's own
   * records back to the shared group (see {@link handBack}).
   * @param tags the test's tags: records containing one of them are the test's
   */
  release(...tags: string[]): Promise<void>;
}

/**
 * Creates a consumer group for one fault test and commits the current end of `topic` for it, so
 * the test's notifications apps start where the test starts. Everyone sharing a broker runs group
 * `notifications` (e2e tests, `npm run dev`): a foreign member in the test's group would take
 * partitions and store the test's notifications in its own database, which would look like loss.
 */
export async function isolatedGroup(name: string, topic: string): Promise<IsolatedGroup> {
  const groupId = `notifications-fault-${name}-${randomBytes(3).toString('hex')}`;
  const start = await groupAtEnd(groupId, topic);
  return {
    groupId,
    env: { KAFKA_CONSUMER_GROUP: groupId },
    release: async (...tags) => {
      await deleteGroup(groupId, 45_000);
      if (tags.length) await handBack(topic, start, tags);
    },
  };
}

/**
 * Commits the current end of `topic` for `groupId` (a group nobody has joined yet), so its first
 * member starts where the caller starts.
 * @returns the offsets committed, per partition
 */
export async function groupAtEnd(groupId: string, topic: string): Promise<Offsets> {
  const start = await topicEnds(topic);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...start].map(([partition, offset]) => ({ partition, offset: String(offset) })),
    });
  } finally {
    await admin.disconnect();
  }
  return start;
}

/**
 * A `conversations` group of its own for one spawned messages app, at the end of
 * `message.created`: fault tests SIGKILL messages apps, and a killed member stays in its group
 * until its session times out (30 s), which would hold up every later member's join (and with it
 * `GET /health/ready`) in a shared group. Fault tests do not read the conversation list.
 */
export async function freshProjectionGroup(topic: string): Promise<string> {
  const groupId = `conversations-fault-${randomBytes(4).toString('hex')}`;
  await groupAtEnd(groupId, topic);
  return groupId;
}

/** Deletes a consumer group, retrying while it still has members (a SIGKILLed one lingers). */
async function deleteGroup(groupId: string, timeoutMs: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await admin.deleteGroups([groupId]);
        return;
      } catch {
        if (Date.now() > deadline) return;
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Moves the shared group `notifications` past the records this test produced, so the next consumer
 * of that group (an e2e test, a developer's app) does not first have to work through thousands of
 * fault-test events. Only when the group is idle (no member) and still where the test started on a
 * partition; and only over the test's own records: it stops at the first record that is not the
 * test's, so nobody else's event is ever skipped. Best effort (a consumer joining meanwhile wins).
 */
export async function handBack(topic: string, start: Offsets, tags: string[]): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([NOTIFICATIONS_GROUP_ID]);
    if (!['Empty', 'Dead'].includes(groups[0]?.state ?? 'Dead')) return;
    const committed = new Map(
      (await admin.fetchOffsets({ groupId: NOTIFICATIONS_GROUP_ID, topics: [topic] }))[0].partitions.map((p) => [
        p.partition,
        BigInt(p.offset),
      ]),
    );
    const ends = await topicEnds(topic);
    const from: Offsets = new Map(
      [...ends].map(([p, end]) => [p, committed.get(p) === start.get(p) ? (start.get(p) ?? end) : end]),
    );
    const records = await scanTopic(topic, from, () => true);
    const moves = [...from]
      .filter(([p, offset]) => offset < (ends.get(p) ?? 0n))
      .map(([p]) => {
        const foreign = records
          .filter((r) => r.partition === p && !tags.some((t) => belongsTo(r, t)))
          .reduce<bigint | undefined>(
            (min, r) => (min === undefined || BigInt(r.offset) < min ? BigInt(r.offset) : min),
            undefined,
          );
        return { partition: p, offset: String(foreign ?? ends.get(p)!) };
      })
      .filter((m) => BigInt(m.offset) > (from.get(m.partition) ?? 0n));
    if (moves.length) await admin.setOffsets({ groupId: NOTIFICATIONS_GROUP_ID, topic, partitions: moves });
  } catch (err) {
    // Best effort: the shared group then consumes the test's records the usual way.
    process.stdout.write(`hand-back to group ${NOTIFICATIONS_GROUP_ID} skipped: ${(err as Error).message}\n`);
  } finally {
    await admin.disconnect();
  }
}
