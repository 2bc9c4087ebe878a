import { Types } from 'mongoose';
import { HeraldMetrics } from '@herald/observability';
import { OutboxBatch, OutboxPublisher } from '../outbox/outbox.publisher';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { eventBytes, GROUP_COMMIT_MAX_BYTES, MessageGroupCommit } from './message-group-commit';
import { StoredMessage } from '../dal/messages/message.schema';
import { DocumentWriteError, InsertOutcome, MessageRepository } from '../dal/messages/message.repository';
import { settingsOf } from '../../../../test/support/fakes';
import { messagesSettings } from '../messages.settings';

const message = (body = 'hi'): StoredMessage => ({
  _id: new Types.ObjectId(),
  conversationId: 'c',
  senderId: 'a',
  recipientIds: ['b'],
  participants: ['a', 'b'],
  body,
  createdAt: new Date(),
  eventId: 'e',
});

/** A group commit over in-memory fakes that record what each flush did. */
function harness(
  opts: {
    insert?: (docs: StoredMessage[]) => Promise<InsertOutcome>;
    publish?: (b: OutboxBatch) => Promise<boolean>;
    batchMax?: number;
    depth?: number;
  } = {},
) {
  const groups: StoredMessage[][] = [];
  const published: OutboxBatch[] = [];
  const removed: string[] = [];
  const store = {
    insertMany: opts.insert ?? (async () => ({ duplicates: new Map(), rejected: new Map() })),
  } as unknown as MessageRepository;
  const outbox = {
    add: async (docs: StoredMessage[]) => (groups.push(docs), new Types.ObjectId()),
    remove: async (id: Types.ObjectId) => void removed.push(id.toHexString()),
  } as unknown as OutboxRepository;
  const publisher = {
    publish: async (b: OutboxBatch) => (published.push(b), opts.publish ? opts.publish(b) : true),
  } as unknown as OutboxPublisher;
  const settings = settingsOf(messagesSettings, {
    INGEST_BATCH_MAX: opts.batchMax ?? 256,
    INGEST_LINGER_MS: 0,
    INGEST_PIPELINE_DEPTH: opts.depth ?? 1,
    OUTBOX_RELAY_MIN_AGE_MS: 3000,
  });
  return {
    commit: new MessageGroupCommit(store, outbox, publisher, settings, new HeraldMetrics('test')),
    groups,
    published,
    removed,
  };
}

describe('MessageGroupCommit', () => {
  it('flushes messages submitted in one event-loop turn as one group, and the next arrivals as the next', async () => {
    const h = harness();
    const first = await Promise.all([message(), message(), message()].map((m) => h.commit.submit(m)));
    expect(first).toEqual(Array(3).fill({ published: true }));
    await h.commit.submit(message());
    expect(h.groups.map((g) => g.length)).toEqual([3, 1]);
    expect(h.published.map((b) => b.messages.length)).toEqual([3, 1]);
  });

  it('queues arrivals during a flush for the next group, bounded by INGEST_BATCH_MAX', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({
      batchMax: 4,
      insert: async () => (await gate, { duplicates: new Map(), rejected: new Map() }),
    });
    const all = [h.commit.submit(message())];
    await new Promise((r) => setImmediate(r)); // the first flush has started and waits on the insert
    for (let i = 0; i < 9; i++) all.push(h.commit.submit(message()));
    release();
    await Promise.all(all);
    expect(h.groups.map((g) => g.length)).toEqual([1, 4, 4, 1]);
  });

  it('splits a group by bytes so its records stay under Kafka’s batch limit', async () => {
    const big = 'x'.repeat(16_000);
    const h = harness();
    const n = Math.ceil((2 * GROUP_COMMIT_MAX_BYTES) / eventBytes(message(big)));
    await Promise.all(Array.from({ length: n }, () => h.commit.submit(message(big))));
    expect(h.groups.length).toBeGreaterThanOrEqual(2);
    for (const g of h.groups)
      expect(g.reduce((b, m) => b + eventBytes(m), 0)).toBeLessThanOrEqual(GROUP_COMMIT_MAX_BYTES);
  });

  it('fails only the rejected document’s request and publishes the others', async () => {
    const h = harness({
      insert: async () => ({
        duplicates: new Map(),
        rejected: new Map([[1, new DocumentWriteError('bad document', 2)]]),
      }),
    });
    const docs = [message('a'), message('b'), message('c')];
    const outcomes = await Promise.allSettled(docs.map((m) => h.commit.submit(m)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(h.published[0].messages.map((m) => m.body)).toEqual(['a', 'c']);
  });

  it('rejects the whole group and takes its outbox entry back when the insert fails as a whole', async () => {
    const h = harness({ insert: async () => Promise.reject(new Error('connection reset')) });
    const outcomes = await Promise.allSettled([message(), message()].map((m) => h.commit.submit(m)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(h.removed).toHaveLength(1);
    expect(h.published).toHaveLength(0);
  });

  it('pipelines: the next group is stored while the previous one publishes, and publishes only after it', async () => {
    const log: string[] = [];
    let releaseFirst!: () => void;
    const firstPublish = new Promise<boolean>((r) => (releaseFirst = () => r(true)));
    const h = harness({
      depth: 2,
      insert: async (docs) => (log.push(`insert ${docs[0].body}`), { duplicates: new Map(), rejected: new Map() }),
      publish: async (b) => (
        log.push(`publish ${b.messages[0].body}`),
        b.messages[0].body === 'a' ? firstPublish : true
      ),
    });
    const a = h.commit.submit(message('a'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r)); // group a is publishing (blocked)
    const b = h.commit.submit(message('b'));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['insert a', 'publish a', 'insert b']); // b stored, its publish waits for a's
    releaseFirst();
    await Promise.all([a, b]);
    expect(log).toEqual(['insert a', 'publish a', 'insert b', 'publish b']);
  });

  it('keeps publish order behind a group whose store failed', async () => {
    const order: string[] = [];
    let failNext = true;
    const h = harness({
      depth: 3,
      insert: async () => {
        if (failNext) {
          failNext = false;
          throw new Error('connection reset');
        }
        return { duplicates: new Map(), rejected: new Map() };
      },
      publish: async (b) => (order.push(b.messages[0].body), true),
    });
    const first = h.commit.submit(message('x')).catch((e: Error) => e.message);
    await new Promise((r) => setImmediate(r));
    const rest = ['y', 'z'].map((body) => h.commit.submit(message(body)));
    expect(await first).toBe('connection reset');
    await Promise.all(rest);
    expect(order).toEqual(['y']);
    expect(h.published.flatMap((g) => g.messages.map((m) => m.body))).toEqual(['y', 'z']);
  });
});
