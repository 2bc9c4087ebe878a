import { getModelToken } from '@nestjs/mongoose';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Model, Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MessageCreatedEvent, Topics } from '@herald/contracts';
import { DlqHeaders } from '@herald/kafka';
import { CONVERSATIONS_GROUP_ID } from '../../apps/messages/src/messages.settings';
import { TokenService } from '@herald/auth';
import { createMessagesApp } from '../../apps/messages/src/bootstrap';
import { ConversationProjector } from '../../apps/messages/src/conversations/conversation.projector';
import { Conversation } from '../../apps/messages/src/dal/conversations/conversation.schema';
import { toMessageCreatedRecord } from '../../apps/messages/src/outbox/message-created.mapper';
import { Message } from '../../apps/messages/src/dal/messages/message.schema';
import { appEnv, uniqueUser } from '../support/env';
import { dlqRecordsOf, MARKER_HEADER, Offsets, testKafka, testProducer, topicEnds } from '../support/kafka-probe';
import { waitFor } from '../support/wait';

/** Longest wait for the projection (eventual consistency, not a performance bound). */
const WAIT_MS = 60_000;

/**
 * The conversation projection on the real servers: the messages app's consumer group
 * `conversations` on `message.created` (readiness, idempotence under redelivery, poison records).
 */
describe('conversation projection (consumer group conversations)', () => {
  let app: NestFastifyApplication;
  let summaries: Model<Conversation>;
  let messages: Model<Message>;
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const token: Record<string, string> = {};

  beforeAll(async () => {
    app = await createMessagesApp(appEnv());
    await app.startAllMicroservices();
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    summaries = app.get(getModelToken(Conversation.name));
    messages = app.get(getModelToken(Message.name));
    for (const u of [alice, bob]) token[u] = await app.get(TokenService).issue(u);
  });
  afterAll(() => app?.close());

  const send = async (from: string, to: string, body: string) =>
    (
      await request(app.getHttpServer())
        .post('/api/v1/messages')
        .set('Authorization', `Bearer ${token[from]}`)
        .send({ recipientIds: [to], body })
        .expect(201)
    ).body as { id: string; conversationId: string };
  const summary = (id: string) => summaries.findById(id).lean().exec();
  const projected = (id: string, lastMessageId: string) =>
    waitFor(
      () => summary(id),
      (s) => s?.lastMessage?.id === lastMessageId,
      { timeoutMs: WAIT_MS, intervalMs: 250, what: `summary of ${id} with last message ${lastMessageId}` },
    );

  /** Waits until group `conversations` committed past every offset in `produced` (partition → last offset). */
  async function committedPast(produced: Offsets): Promise<void> {
    const admin = testKafka('herald-test-projection').admin();
    await admin.connect();
    try {
      const committed = async () =>
        new Map(
          (
            await admin.fetchOffsets({ groupId: CONVERSATIONS_GROUP_ID, topics: [Topics.MessageCreated] })
          )[0].partitions.map((p) => [p.partition, BigInt(p.offset)]),
        );
      await waitFor(committed, (c) => [...produced].every(([p, last]) => (c.get(p) ?? -1n) > last), {
        timeoutMs: WAIT_MS,
        intervalMs: 250,
        what: `group ${CONVERSATIONS_GROUP_ID} committed past ${[...produced].map(([p, o]) => `${p}@${o}`).join(',')}`,
      });
    } finally {
      await admin.disconnect();
    }
  }

  it('is ready only once its consumer joined group conversations (GET /health/ready: kafkaConsumer)', async () => {
    const ready = await waitFor(
      async () => request(app.getHttpServer()).get('/health/ready'),
      (r) => r.status === 200,
      { timeoutMs: WAIT_MS, intervalMs: 250, what: 'GET /health/ready 200' },
    );
    expect(ready.body.details.kafkaConsumer).toMatchObject({
      status: 'up',
      state: 'joined',
      groupId: CONVERSATIONS_GROUP_ID,
    });
    expect(ready.body.details.kafkaConsumer.partitions).toBeGreaterThan(0);
  });

  it('leaves summaries unchanged when a batch is delivered again (redelivery, replay)', async () => {
    const first = await send(alice, bob, 'r1');
    await send(bob, alice, 'r2');
    const third = await send(alice, bob, 'r3');
    const before = await projected(first.conversationId, third.id);

    // The same three records again, in one request (one batch), and in reverse order.
    const docs = await messages.find({ conversationId: first.conversationId }).sort({ _id: 1 }).exec();
    expect(docs).toHaveLength(3);
    const records = docs
      .map((d) => toMessageCreatedRecord(d))
      .map((r) => ({ key: r.key, value: JSON.stringify(r.value), headers: r.headers }));
    const producer = await testProducer();
    let sent;
    try {
      sent = await producer.send({
        topic: Topics.MessageCreated,
        acks: -1,
        messages: [...records, ...[...records].reverse()],
      });
    } finally {
      await producer.disconnect();
    }
    const last: Offsets = new Map(
      sent.map((m) => [m.partition, BigInt(m.baseOffset ?? '0') + BigInt(records.length * 2 - 1)]),
    );
    await committedPast(last);
    expect(await summary(first.conversationId)).toEqual(before);

    // And straight through the projector: nothing left to write.
    const events = records.map(
      (r) =>
        JSON.parse(r.value, (k, v) =>
          k === 'createdAt' || k === 'occurredAt' ? new Date(v) : v,
        ) as MessageCreatedEvent,
    );
    expect(await app.get(ConversationProjector).project(events)).toEqual({ conversations: 1, written: 0 });
    expect(await summary(first.conversationId)).toEqual(before);
  });

  it('dead-letters a poison record (group conversations) and still projects the next record of the partition', async () => {
    const { conversationId } = await send(alice, bob, 'before the poison');
    const tag = uniqueUser('poison');
    const dlqFrom = await topicEnds(Topics.MessageCreatedDlq);
    const next: MessageCreatedEvent = {
      eventId: randomUUID(),
      type: Topics.MessageCreated,
      version: 2,
      occurredAt: new Date(),
      data: {
        messageId: new Types.ObjectId().toHexString(),
        conversationId,
        senderId: bob,
        recipientIds: [alice],
        body: `after the poison ${tag}`,
        createdAt: new Date(),
        mentions: [],
      },
    };
    const poison = Buffer.from(`{"not json ${tag}`);
    const producer = await testProducer();
    try {
      // Same key: same partition, poison first.
      await producer.send({
        topic: Topics.MessageCreated,
        acks: -1,
        messages: [
          { key: conversationId, value: poison, headers: { [MARKER_HEADER]: tag } },
          { key: conversationId, value: JSON.stringify(next) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    const after = await projected(conversationId, next.data.messageId);
    expect(after?.lastMessage).toMatchObject({ senderId: bob, preview: `after the poison ${tag}` });

    const ours = await waitFor(
      async () =>
        (await dlqRecordsOf(Topics.MessageCreatedDlq, dlqFrom, tag)).filter(
          (r) => String(r.headers[DlqHeaders.consumerGroup]) === CONVERSATIONS_GROUP_ID,
        ),
      (list) => list.length >= 1,
      {
        timeoutMs: WAIT_MS,
        intervalMs: 500,
        what: 'the poison record in message.created.dlq from group conversations',
      },
    );
    expect(ours).toHaveLength(1);
    expect(ours[0].value?.equals(poison)).toBe(true);
    expect(String(ours[0].headers[DlqHeaders.reason])).toBe('not-json');
    expect(String(ours[0].headers[DlqHeaders.sourceTopic])).toBe(Topics.MessageCreated);
  });
});
