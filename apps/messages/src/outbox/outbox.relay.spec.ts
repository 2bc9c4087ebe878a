import { Test } from '@nestjs/testing';
import { Topics } from '@herald/contracts';
import { EventPublisher, OutgoingRecord } from '@herald/kafka';
import { HeraldMetrics } from '@herald/observability';
import {
  FakeMessageRepository,
  FakeOutboxRepository,
  settingsProvider,
  storedMessage,
} from '../../../../test/support/fakes';
import { messagesSettings } from '../messages.settings';
import { MessageRepository } from '../dal/messages/message.repository';
import { StoredMessage } from '../dal/messages/message.schema';
import { backoffMs, OutboxRepository } from '../dal/outbox/outbox.repository';
import { OutboxPublisher, SETTLE_INTERVAL_MS } from './outbox.publisher';
import { OutboxRelay, RELAY_LEASE_MS } from './outbox.relay';

const PUBLISH_TIMEOUT_MS = 2_000;
const NOW = new Date('2026-01-05T12:00:00Z');

/** The producer side of Kafka: records every send; a send fails or hangs when the test says. */
class FakeEventPublisher implements Pick<EventPublisher, 'publishBatch'> {
  readonly sent: Array<{ topic: string; records: OutgoingRecord[] }> = [];
  /** What the next sends do instead of succeeding, in order. */
  readonly next: Array<'fail' | 'hang'> = [];
  /** Called at each send, before it is acknowledged (to look at the store at that moment). */
  onSend?: (records: OutgoingRecord[]) => void;

  publishBatch(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.onSend?.(records);
    const what = this.next.shift();
    if (what === 'hang') return new Promise(() => undefined);
    if (what === 'fail') return Promise.reject(new Error('broker not available'));
    this.sent.push({ topic, records });
    return Promise.resolve();
  }

  /** Event ids of the acknowledged sends, one list per send. */
  get eventIds(): string[][] {
    return this.sent.map((s) => s.records.map((r) => r.headers?.['event-id'] ?? ''));
  }
}

/** The real relay and publisher over in-memory `messages` and `outbox` and a fake producer. */
async function setup() {
  const messages = new FakeMessageRepository();
  const outbox = new FakeOutboxRepository();
  const events = new FakeEventPublisher();
  const metrics = { published: jest.fn(), publishFailed: jest.fn() };
  const moduleRef = await Test.createTestingModule({
    providers: [
      OutboxRelay,
      OutboxPublisher,
      { provide: MessageRepository, useValue: messages },
      { provide: OutboxRepository, useValue: outbox },
      { provide: EventPublisher, useValue: events },
      { provide: HeraldMetrics, useValue: metrics },
      settingsProvider(messagesSettings, { PUBLISH_TIMEOUT_MS, OUTBOX_RELAY_INTERVAL_MS: 1_000 }),
    ],
  }).compile();
  return { relay: moduleRef.get(OutboxRelay), messages, outbox, events, metrics };
}

const ids = (docs: StoredMessage[]) => docs.map((m) => m.eventId);
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('OutboxRelay.runOnce: publishes due outbox entries oldest first and stops at the first it cannot publish', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW }));
  afterEach(() => jest.useRealTimers());

  it('publishes every due entry, oldest first, one send each, leaves entries not yet due, and deletes what Kafka acknowledged', async () => {
    const { relay, outbox, events } = await setup();
    const older = [storedMessage(), storedMessage()];
    const newer = [storedMessage()];
    const later = [storedMessage()];
    outbox.put(newer, { createdAt: at(-2_000) });
    outbox.put(older, { createdAt: at(-5_000) });
    const c = outbox.put(later, { createdAt: at(-1_000), nextAttemptAt: at(1_000) });

    expect(await relay.runOnce()).toBe(3);
    expect(events.sent.map((s) => s.topic)).toEqual([Topics.MessageCreated, Topics.MessageCreated]);
    expect(events.eventIds).toEqual([ids(older), ids(newer)]);
    await jest.advanceTimersByTimeAsync(SETTLE_INTERVAL_MS);
    expect([...outbox.entries.keys()]).toEqual([c._id.toHexString()]);
  });

  it('publishes nothing behind an older entry still in backoff (no event overtakes an older pending one)', async () => {
    const { relay, outbox, events } = await setup();
    outbox.put([storedMessage()], { createdAt: at(-5_000), nextAttemptAt: at(2_000), attempts: 2 });
    outbox.put([storedMessage()], { createdAt: at(-1_000) });
    expect(await relay.runOnce()).toBe(0);
    expect(events.sent).toEqual([]);
  });

  it("stores the entry's messages before publishing them (missing ones inserted, stored ones kept)", async () => {
    const { relay, messages, outbox, events } = await setup();
    const missing = storedMessage();
    const alreadyStored = storedMessage();
    messages.seed(alreadyStored);
    const storedWhenSent: boolean[] = [];
    events.onSend = (records) =>
      records.forEach((r) =>
        storedWhenSent.push([...messages.stored.values()].some((m) => m.eventId === r.headers?.['event-id'])),
      );
    outbox.put([missing, alreadyStored]);

    expect(await relay.runOnce()).toBe(2);
    expect(storedWhenSent).toEqual([true, true]);
    expect(events.eventIds).toEqual([ids([missing, alreadyStored])]);
  });

  it('drops a message the database refuses, and removes an entry left with nothing to publish without a send', async () => {
    const { relay, messages, outbox, events } = await setup();
    const refused = storedMessage();
    const good = storedMessage();
    const alone = storedMessage();
    messages.refuse.add(refused._id.toHexString()).add(alone._id.toHexString());
    const mixed = outbox.put([refused, good], { createdAt: at(-2_000) });
    const empty = outbox.put([alone], { createdAt: at(-1_000) });

    expect(await relay.runOnce()).toBe(1);
    expect(events.eventIds).toEqual([ids([good])]);
    expect(outbox.entries.has(empty._id.toHexString())).toBe(false);
    expect(outbox.entries.has(mixed._id.toHexString())).toBe(true); // until the batched delete
  });

  it("stops the pass at a failed publish, records the failure with the entry's attempts, and leaves the newer entries unclaimed", async () => {
    const { relay, outbox, events, metrics } = await setup();
    const failing = outbox.put([storedMessage()], { createdAt: at(-2_000), attempts: 2 });
    const newer = outbox.put([storedMessage()], { createdAt: at(-1_000) });
    events.next.push('fail');

    expect(await relay.runOnce()).toBe(0);
    expect(outbox.failures).toEqual([
      { id: failing._id.toHexString(), attempts: 2, error: expect.stringContaining('broker not available') },
    ]);
    expect(metrics.publishFailed).toHaveBeenCalledWith(Topics.MessageCreated);
    expect(events.sent).toEqual([]);
    expect(outbox.entries.get(newer._id.toHexString())?.nextAttemptAt).toEqual(new Date(0));
  });

  it('treats a send not acknowledged within PUBLISH_TIMEOUT_MS as a failure', async () => {
    const { relay, outbox, events } = await setup();
    const entry = outbox.put([storedMessage()]);
    events.next.push('hang');

    const pass = relay.runOnce();
    await jest.advanceTimersByTimeAsync(PUBLISH_TIMEOUT_MS);
    expect(await pass).toBe(0);
    expect(outbox.failures).toEqual([
      { id: entry._id.toHexString(), attempts: 0, error: `no acknowledgement within ${PUBLISH_TIMEOUT_MS} ms` },
    ]);
  });

  it('retries a failed entry on a later pass once its backoff has passed, counting attempts up', async () => {
    const { relay, outbox, events } = await setup();
    const docs = [storedMessage()];
    outbox.put(docs);
    events.next.push('fail', 'fail');

    expect(await relay.runOnce()).toBe(0);
    expect(await relay.runOnce()).toBe(0); // not due again yet: nothing sent
    await jest.advanceTimersByTimeAsync(backoffMs(1));
    expect(await relay.runOnce()).toBe(0);
    await jest.advanceTimersByTimeAsync(backoffMs(2));
    expect(await relay.runOnce()).toBe(1);
    expect(outbox.failures.map((f) => f.attempts)).toEqual([0, 1]);
    expect(events.eventIds).toEqual([ids(docs)]);
  });

  it('stops at an entry another relay instance holds, publishing nothing after it', async () => {
    const { relay, outbox, events } = await setup();
    const held = outbox.put([storedMessage()], { createdAt: at(-2_000) });
    const newer = outbox.put([storedMessage()], { createdAt: at(-1_000) });
    outbox.claimedElsewhere.add(held._id.toHexString());

    expect(await relay.runOnce()).toBe(0);
    expect(events.sent).toEqual([]);
    expect(outbox.entries.get(newer._id.toHexString())?.nextAttemptAt).toEqual(new Date(0));
  });

  it('holds a lease of RELAY_LEASE_MS on an entry while publishing it', async () => {
    const { relay, outbox, events } = await setup();
    const entry = outbox.put([storedMessage()]);
    let leaseWhenSent: Date | undefined;
    events.onSend = () => (leaseWhenSent = outbox.entries.get(entry._id.toHexString())?.nextAttemptAt);

    expect(await relay.runOnce()).toBe(1);
    expect(leaseWhenSent).toEqual(at(RELAY_LEASE_MS));
  });
});

describe('backoffMs: the wait before the relay retries a failed entry', () => {
  it('doubles from 500 ms per failure and stops growing at 30 s', () => {
    expect([1, 2, 3, 4, 6, 7, 20].map(backoffMs)).toEqual([500, 1_000, 2_000, 4_000, 16_000, 30_000, 30_000]);
  });
});
