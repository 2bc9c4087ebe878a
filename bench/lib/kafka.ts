import { Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { ALL_TOPICS } from '@herald/contracts';
import { messageCreatedRecord } from './events';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A kafkajs client for the benchmark's own admin/producer/consumer work. */
export function benchKafka(brokers: string, clientId = 'herald-bench'): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
}

/**
 * Waits until the broker's group coordinator answers (`listGroups` succeeds): right after a broker
 * start it reports COORDINATOR_LOAD_IN_PROGRESS while it loads `__consumer_offsets`.
 * @throws the last error after `timeoutMs`
 */
export async function waitGroupCoordinator(admin: Admin, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.listGroups();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

/**
 * Deletes and recreates Herald's topics (libs/contracts ALL_TOPICS) empty, with `partitions`
 * partitions, after deleting the given consumer groups (they must have no members). Only for the
 * benchmark's own broker. Retries creation while the broker still finishes the deletion.
 */
export async function resetTopics(admin: Admin, partitions: number, groups: string[] = []): Promise<void> {
  const ours = async (): Promise<string[]> =>
    (await admin.listTopics()).filter((t) => (ALL_TOPICS as readonly string[]).includes(t));
  const known = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
  const stale = groups.filter((g) => known.has(g));
  if (stale.length) await admin.deleteGroups(stale);
  const present = await ours();
  if (present.length) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  for (let attempt = 0; (await ours()).length > 0; attempt++) {
    if (attempt > 100) throw new Error('topics were not deleted within 30 s');
    await sleep(300);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: ALL_TOPICS.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
      if ((await ours()).length === ALL_TOPICS.length) return;
    } catch (err) {
      if (attempt > 60) throw err;
    }
    await sleep(500);
  }
}

/**
 * Produces `n` `message.created` records (see {@link messageCreatedRecord}) with an idempotent
 * `acks: -1` producer and the murmur2 partitioner, in batches.
 * @returns milliseconds taken
 */
export async function preloadMessageCreated(kafka: Kafka, topic: string, n: number, batch = 1000): Promise<number> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const t0 = Date.now();
  try {
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < n; i += batch) {
      const messages = [];
      for (let j = i; j < Math.min(n, i + batch); j++) messages.push(messageCreatedRecord(j));
      inFlight.push(producer.send({ topic, acks: -1, messages }));
      if (inFlight.length >= 4) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return Date.now() - t0;
}

/** Latest offset (high watermark) of each partition of `topic`. */
export async function topicEndOffsets(admin: Admin, topic: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

/**
 * Records of `topic` a group has not committed yet: Σ(end − committed), an uncommitted partition
 * counting from 0.
 */
export async function groupLag(
  admin: Admin,
  groupId: string,
  topic: string,
  ends: Map<number, number>,
): Promise<number> {
  const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
  let lag = 0;
  for (const [partition, end] of ends) {
    const p = res?.partitions.find((x) => x.partition === partition);
    const committed = p ? Number(p.offset) : -1;
    lag += end - Math.max(0, committed);
  }
  return lag;
}

/**
 * Waits until `groupId` is Stable with at least one member that has partitions of `topic`.
 * @throws Error after `timeoutMs`
 */
export async function waitGroupAssigned(admin: Admin, groupId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    if (g && g.state === 'Stable' && g.members.some((m) => m.memberAssignment.length > 0)) return;
    await sleep(200);
  }
  throw new Error(`consumer group ${groupId} did not become Stable within ${timeoutMs} ms`);
}
