import { Types } from 'mongoose';
import { Topics } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { HeraldMetrics } from '@herald/observability';
import { StoredMessage } from '../dal/messages/message.schema';
import { BACKLOG_SCRAPE_TIMEOUT_MS, OutboxMetrics } from './outbox.metrics';
import { OutboxBatch, OutboxPublisher } from './outbox.publisher';
import { OutboxRelay } from './outbox.relay';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { settingsOf } from '../../../../test/support/fakes';
import { messagesSettings } from '../messages.settings';

const valueOf = async (
  m: HeraldMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> => {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
};

/** An outbox batch of one message. */
function message(): OutboxBatch {
  const m: StoredMessage = {
    _id: new Types.ObjectId(),
    eventId: 'e-1',
    conversationId: 'c',
    senderId: 'a',
    recipientIds: ['b'],
    participants: ['a', 'b'],
    body: 'hi',
    createdAt: new Date(),
  };
  return { entryId: new Types.ObjectId(), attempts: 0, messages: [m] };
}

/** An OutboxPublisher over fakes: `send` decides what each Kafka publish does. */
function publisher(metrics: HeraldMetrics, send: () => Promise<void>): OutboxPublisher {
  const store = {
    removeMany: () => Promise.resolve(),
    recordFailure: () => Promise.resolve(),
  } as unknown as OutboxRepository;
  const events = { publishBatch: send } as unknown as EventPublisher;
  return new OutboxPublisher(store, events, settingsOf(messagesSettings, { PUBLISH_TIMEOUT_MS: 50 }), metrics);
}

const topic = { topic: Topics.MessageCreated };

describe('outbox metrics', () => {
  it('counts acknowledged events and failed attempts per topic', async () => {
    const m = new HeraldMetrics('messages');
    expect(await publisher(m, () => Promise.resolve()).publish(message())).toBe(true);
    expect(await publisher(m, () => Promise.reject(new Error('broker down'))).publish(message())).toBe(false);
    expect(await valueOf(m, 'herald_events_published_total', topic)).toBe(1);
    expect(await valueOf(m, 'herald_publish_failures_total', topic)).toBe(1);
  });

  it('counts a timed-out attempt as a failure, and its late acknowledgement as published', async () => {
    const m = new HeraldMetrics('messages');
    let ack!: () => void;
    const late = new Promise<void>((r) => (ack = r));
    const p = publisher(m, () => late);
    expect(await p.publish(message())).toBe(false);
    expect(await valueOf(m, 'herald_publish_failures_total', topic)).toBe(1);
    expect(await valueOf(m, 'herald_events_published_total', topic)).toBeUndefined();
    ack();
    await p.onApplicationShutdown(); // waits for the in-flight send
    expect(await valueOf(m, 'herald_events_published_total', topic)).toBe(1);
  });

  it('reads the backlog at scrape time, bounded: a slow count leaves the last value', async () => {
    const m = new HeraldMetrics('messages');
    let next: Promise<number> = Promise.resolve(4);
    const limits: Array<number | undefined> = [];
    const relay = { backlog: (maxTimeMs?: number) => (limits.push(maxTimeMs), next) } as unknown as OutboxRelay;
    new OutboxMetrics(m, relay).onApplicationBootstrap();
    expect(await valueOf(m, 'herald_outbox_backlog')).toBe(4);
    expect(limits).toEqual([BACKLOG_SCRAPE_TIMEOUT_MS]);
    next = new Promise<number>(() => undefined); // never answers
    const t0 = Date.now();
    expect(await valueOf(m, 'herald_outbox_backlog')).toBe(4);
    expect(Date.now() - t0).toBeLessThan(BACKLOG_SCRAPE_TIMEOUT_MS + 1000);
  });
});
