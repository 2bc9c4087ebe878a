import { Test } from '@nestjs/testing';
import { KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { MessageCreatedEvent, Topics } from '@herald/contracts';
import { DlqHeaders, KafkaBatchContext, retryDelayMs } from '@herald/kafka';
import { HeraldMetrics } from '@herald/observability';
import { settingsProvider } from '../../../../test/support/fakes';
import { notificationsSettings } from '../notifications.settings';
import { NotificationPushPublisher } from '../push/notification-push.publisher';
import { MessageCreatedConsumer } from './message-created.consumer';
import { NotificationWriter, StoreResult } from './notification.writer';

/** A `message.created` v2 record at `offset` whose one recipient is `recipient`. */
function record(offset: number, recipient: string): KafkaMessage {
  const event = {
    eventId: randomUUID(),
    type: Topics.MessageCreated,
    version: 2,
    occurredAt: '2026-01-05T12:00:00.000Z',
    data: {
      messageId: new Types.ObjectId().toHexString(),
      conversationId: 'team-lunch',
      senderId: 'alice',
      recipientIds: [recipient],
      body: 'Lunch at noon?',
      mentions: [],
      createdAt: '2026-01-05T12:00:00.000Z',
    },
  };
  return {
    offset: String(offset),
    key: Buffer.from('team-lunch'),
    value: Buffer.from(JSON.stringify(event)),
    timestamp: '0',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** An error as MongoDB raises it for a document it refuses (DocumentValidationFailure): retrying cannot help. */
const documentRefused = () => Object.assign(new Error('Document failed validation'), { code: 121 });
/** An error of an unreachable MongoDB: worth retrying. */
const mongoDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoNetworkError' });

/**
 * The notification writer: `fail` decides, per call, what a store throws (nothing: it stores one
 * notification per event).
 */
class FakeWriter implements Pick<NotificationWriter, 'store'> {
  readonly calls: string[][] = [];
  fail: (recipients: string[], call: number) => Error | undefined = () => undefined;

  async store(
    events: readonly MessageCreatedEvent[],
    _source?: unknown,
    onInserted?: (inserted: readonly StoreResult['inserted'][number][]) => Promise<void>,
  ): Promise<StoreResult> {
    const recipients = events.map((e) => e.data.recipientIds[0]);
    this.calls.push(recipients);
    const err = this.fail(recipients, this.calls.length);
    if (err) throw err;
    const inserted = recipients.map(
      (r) => ({ _id: new Types.ObjectId(), recipientId: r }) as unknown as StoreResult['inserted'][number],
    );
    await onInserted?.(inserted);
    return { inserted, updated: [] };
  }
}

/** The real consumer with a fake writer, push and metrics; the batch's producer records what it sends (the DLQ). */
async function setup(records: KafkaMessage[]) {
  const writer = new FakeWriter();
  const push = { publish: jest.fn(async () => undefined) };
  const metrics = { stored: jest.fn(), consumed: jest.fn(), setConsumerLag: jest.fn(), deadLettered: jest.fn() };
  const moduleRef = await Test.createTestingModule({
    controllers: [MessageCreatedConsumer],
    providers: [
      { provide: NotificationWriter, useValue: writer },
      { provide: NotificationPushPublisher, useValue: push },
      { provide: HeraldMetrics, useValue: metrics },
      settingsProvider(notificationsSettings),
    ],
  }).compile();
  const sent: ProducerRecord[] = [];
  const producer = { send: jest.fn(async (r: ProducerRecord) => void sent.push(r)) } as unknown as Producer;
  const heartbeat = jest.fn(async () => undefined);
  const ctx = new KafkaBatchContext([
    records,
    0,
    Topics.MessageCreated,
    {} as never,
    heartbeat,
    producer,
    String(records.length + 10),
  ]);
  return { consumer: moduleRef.get(MessageCreatedConsumer), ctx, writer, push, metrics, sent, heartbeat };
}

/** Recipients of the `notification.created` pushes started, over all publish calls, in order. */
const pushedRecipients = (push: { publish: jest.Mock }) =>
  push.publish.mock.calls.flatMap((call) => (call[0] as Array<{ recipientId: string }>).map((n) => n.recipientId));

describe('MessageCreatedConsumer retries: an unavailable database is waited out, only a refused document is dead-lettered', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries the batch store in place while MongoDB is down, heartbeating, and dead-letters nothing', async () => {
    const { consumer, ctx, writer, push, sent, heartbeat } = await setup([record(10, 'bob'), record(11, 'carol')]);
    writer.fail = (_r, call) => (call <= 2 ? mongoDown() : undefined);

    const handled = consumer.handle(ctx);
    await jest.advanceTimersByTimeAsync(retryDelayMs(1) + retryDelayMs(2));
    await handled;
    expect(writer.calls).toEqual([
      ['bob', 'carol'],
      ['bob', 'carol'],
      ['bob', 'carol'],
    ]);
    expect(heartbeat).toHaveBeenCalledTimes(2);
    expect(sent).toEqual([]);
    expect(pushedRecipients(push)).toEqual(['bob', 'carol']);
  });

  it('after a refused document, stores the events one by one and dead-letters only the one refused (store-failed)', async () => {
    const { consumer, ctx, writer, push, metrics, sent } = await setup([
      record(10, 'bob'),
      record(11, 'refused'),
      record(12, 'dave'),
    ]);
    writer.fail = (recipients) => (recipients.includes('refused') ? documentRefused() : undefined);

    await consumer.handle(ctx);
    expect(writer.calls).toEqual([['bob', 'refused', 'dave'], ['bob'], ['refused'], ['dave']]);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe(Topics.MessageCreatedDlq);
    expect(sent[0].messages[0].headers).toMatchObject({
      [DlqHeaders.reason]: 'store-failed',
      [DlqHeaders.sourceOffset]: '11',
      [DlqHeaders.consumerGroup]: 'notifications',
    });
    expect(metrics.deadLettered).toHaveBeenCalledWith(Topics.MessageCreated, 'store-failed');
    expect(pushedRecipients(push)).toEqual(['bob', 'dave']);
  });

  it('gives up at the first failure after shutdown began: the handler throws, so the batch is not committed, and nothing is pushed', async () => {
    const { consumer, ctx, writer, push, metrics } = await setup([record(10, 'bob')]);
    writer.fail = () => mongoDown();

    const settled = consumer.handle(ctx).catch((e: Error) => e);
    await jest.advanceTimersByTimeAsync(retryDelayMs(1));
    consumer.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(retryDelayMs(2)); // the attempt after the wait fails: no more
    expect(((await settled) as Error).message).toBe(
      'shutting down with 1 event(s) message.created/0@10..10 unwritten (not committed)',
    );
    await jest.advanceTimersByTimeAsync(60_000);
    expect(writer.calls).toHaveLength(3);
    expect(push.publish).not.toHaveBeenCalled();
    expect(metrics.consumed).not.toHaveBeenCalled();
  });
});
