import { Topics } from '@herald/contracts';
import { awaitNotifications, reportFault, withMongo } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { groupLag, testKafka, topicEnds } from '../support/kafka-probe';
import { Cast, expectedOf, Sent } from '../support/load';
import { httpRequest } from '../support/http';
import { AppProcess, signToken, startApp, withAppLogs } from '../support/processes';
import { openSse, SseClient } from '../support/sse';
import { waitFor } from '../support/wait';

const PARTITIONS = 6;
const CONVERSATIONS = 30;
const PER_CONVERSATION = 100; // 3,000 messages, 6,000 notifications
const round1 = (ms: number) => Math.round(ms / 100) / 10;

/** `message.created` gets at least `count` partitions (Kafka only ever adds partitions). */
async function ensurePartitions(count: number): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [Topics.MessageCreated] });
    const have = meta.topics[0].partitions.length;
    if (have < count) await admin.createPartitions({ topicPartitions: [{ topic: Topics.MessageCreated, count }] });
    // New partitions answer once their leader is elected ("not the leader" until then).
    return await waitFor(
      () => topicEnds(Topics.MessageCreated).then((ends) => ends.size),
      (n) => n >= count,
      { timeoutMs: 60_000, intervalMs: 500, what: `${count} partitions with a leader` },
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Sends `perConversation` messages in each conversation of the cast, all conversations in parallel
 * but each strictly in sequence (message n+1 is POSTed after message n was answered), so a
 * conversation's message sequence is well defined; the body carries it as `seq=<n>`.
 */
async function sendConversations(
  url: string,
  cast: Cast,
  perConversation: number,
  onSent: (n: number) => void,
): Promise<Sent[]> {
  let answered = 0;
  const all = await Promise.all(
    cast.senders.map(async (_sender, k) => {
      const sent: Sent[] = [];
      for (let n = 0; n < perConversation; n++) {
        const recipients = cast.recipientsOf[k];
        const res = await httpRequest('POST', `${url}/api/v1/messages`, {
          headers: { authorization: `Bearer ${cast.tokens[k]}` },
          body: { recipientIds: recipients, body: `${cast.tag} c=${k} seq=${n}` },
        }).catch((err: Error) => ({ status: 0, json: undefined, text: err.message }));
        sent.push({
          index: k * perConversation + n,
          status: res.status,
          messageId: res.status === 201 ? (res.json as { id: string }).id : undefined,
          recipients,
        });
        onSent(++answered);
      }
      return sent;
    }),
  );
  return all.flat();
}

interface StoredNotification {
  _id: { toHexString(): string };
  recipientId: string;
  conversationId: string;
  preview: string;
  storedAt: Date;
}

/**
 * Per conversation and recipient, in message sequence order: how many notifications were written
 * before one of an earlier message (`storedAt`, then `_id` within one write), and how many would be
 * listed out of order by `_id` alone (the inbox order; informational, see the test's comment).
 */
function orderViolations(docs: readonly StoredNotification[]): { byWrite: number; byId: number } {
  const lanes = new Map<string, Array<{ seq: number; at: number; id: string }>>();
  for (const d of docs) {
    const seq = Number(/seq=(\d+)/.exec(d.preview)?.[1]);
    const key = `${d.conversationId}|${d.recipientId}`;
    lanes.set(key, [...(lanes.get(key) ?? []), { seq, at: d.storedAt.getTime(), id: d._id.toHexString() }]);
  }
  let byWrite = 0;
  let byId = 0;
  for (const lane of lanes.values()) {
    lane.sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < lane.length; i++) {
      const [prev, cur] = [lane[i - 1], lane[i]];
      if (cur.at < prev.at || (cur.at === prev.at && cur.id < prev.id)) byWrite++;
      if (cur.id < prev.id) byId++;
    }
  }
  return { byWrite, byId };
}

/**
 * Scale-out (issue #5): three notifications instances in one consumer group on a 6-partition
 * `message.created`, 3,000 messages over 30 conversations, one instance stopped (SIGTERM, as a
 * deploy does; a crash is the consumer-crash test) and replaced mid-stream. Every notification is
 * stored once, each conversation's notifications are written in message order, the group ends
 * with lag 0, and SSE clients on the two instances that stay up receive exactly their own
 * notifications, pushed across instances through the per-instance broadcast groups.
 *
 * Order is checked on the write order (`storedAt`, then `_id` within one write): that is what
 * the consumer controls. ObjectIds made by two processes in the same second are ordered by their
 * process-unique bytes, so around the hand-over the inbox's `_id` order may differ from the
 * write order; the test prints how often (`idOrderInversions`).
 */
describe('fault: scale-out to three instances with one replaced mid-stream', () => {
  const instances: AppProcess[] = [];
  let messages: AppProcess;
  let partitions = 0;

  // Before the fixture's hook: the group's start offsets must cover the new partitions.
  beforeAll(async () => {
    partitions = await ensurePartitions(PARTITIONS);
  }, 120_000);
  const f = faultFixture('scale-out');
  const { uri } = f;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) instances.push(await startApp('notifications', { mongoUri: uri, env: f.group.env }));
    messages = await startApp('messages', { mongoUri: uri });
  }, 180_000);

  it(
    `${CONVERSATIONS * PER_CONVERSATION} messages, ${CONVERSATIONS} conversations, ${PARTITIONS} partitions: stored once, in order, pushed to the right streams`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const total = CONVERSATIONS * PER_CONVERSATION;
        const cast = await f.cast('scale', CONVERSATIONS);
        // Two watched users per instance that stays up (0 and 1); instance 2 is the one replaced.
        const watched = [0, 1].flatMap((inst) =>
          [0, 1].map((j) => ({ inst, user: cast.recipientsOf[inst * 2 + j][j] })),
        );
        const streams = new Map<string, SseClient>();
        for (const w of watched) {
          const token = await signToken(w.user);
          const client = await openSse(
            `${instances[w.inst].url}/api/v1/notifications/stream?access_token=${encodeURIComponent(token)}`,
          );
          expect(client.status).toBe(200);
          streams.set(w.user, client);
        }
        const details: Record<string, number | string | boolean> = {
          partitions,
          instances: 3,
          conversations: CONVERSATIONS,
        };
        let replace: Promise<void> | undefined;
        const sent = await sendConversations(messages.url, cast, PER_CONVERSATION, (n) => {
          if (n !== Math.round(total / 3)) return;
          replace = (async () => {
            const t = Date.now();
            const exit = await instances[2].stop('SIGTERM', 30_000);
            details.stopS = round1(Date.now() - t);
            details.exit = exit.signal ?? `code-${exit.code}`;
            const t2 = Date.now();
            instances[2] = await startApp('notifications', { mongoUri: uri, env: f.group.env });
            details.restartS = round1(Date.now() - t2);
          })();
          replace.catch(() => undefined);
        });
        details.sendS = round1(Date.now() - t0);
        await replace;
        const count = await awaitNotifications(uri, expectedOf(sent), { timeoutMs: 300_000 });
        details.lag = await waitFor(
          () => groupLag(f.group.groupId, Topics.MessageCreated),
          (lag) => lag === 0,
          { timeoutMs: 60_000, what: 'lag 0' },
        ).catch(() => -1);

        const docs = await withMongo(uri, (db) =>
          db
            .collection<StoredNotification>('notifications')
            .find({ recipientId: { $in: cast.recipients } })
            .toArray(),
        );
        const order = orderViolations(docs);
        details.orderViolations = order.byWrite;
        details.idOrderInversions = order.byId;

        // Each watched stream: exactly its user's stored notifications, each once.
        const idsOf = (user: string) => docs.filter((d) => d.recipientId === user).map((d) => d._id.toHexString());
        const received = (user: string) => streams.get(user)!.events.filter((e) => e.event === 'notification.created');
        for (const w of watched) {
          await waitFor(
            async () => received(w.user).length,
            (n) => n >= idsOf(w.user).length,
            { timeoutMs: 60_000, what: `${w.user}'s pushes` },
          ).catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 2000));
        const pushes = watched.map((w) => {
          const got = received(w.user);
          const ids = got.map((e) => String(e.data.id));
          return {
            user: w.user,
            inst: w.inst,
            expected: idsOf(w.user).sort(),
            ids: [...new Set(ids)].sort(),
            duplicates: ids.length - new Set(ids).size,
            foreign: got.filter((e) => e.data.recipientId !== w.user).length,
          };
        });
        for (const s of streams.values()) s.close();
        details.sse = pushes.map((p) => `${p.ids.length}/${p.expected.length}@i${p.inst}`).join(',');
        const seconds = (Date.now() - t0) / 1000;
        details.notificationsPerS = Math.round(count.stored / seconds);
        reportFault({ fault: 'scale-out', sent: total, expected: 2 * total, ...count, dlq: 0, seconds, details });

        expect(sent.filter((s) => s.status !== 201)).toEqual([]);
        expect(details.exit).toBe('SIGTERM');
        expect(count).toEqual({ stored: 2 * total, delivered: 2 * total, lost: 0, duplicated: 0, unexpected: 0 });
        expect(details.lag).toBe(0);
        expect(order.byWrite).toBe(0);
        for (const p of pushes) {
          expect(p.expected.length).toBe(PER_CONVERSATION);
          expect({ user: p.user, ids: p.ids, duplicates: p.duplicates, foreign: p.foreign }).toEqual({
            user: p.user,
            ids: p.expected,
            duplicates: 0,
            foreign: 0,
          });
        }
        expect(instances.every((i) => i.alive())).toBe(true);
      }),
    900_000,
  );
});
