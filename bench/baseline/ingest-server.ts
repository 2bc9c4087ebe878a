/**
 * Baseline of the HTTP ingest benchmark: the least code that accepts a message the way
 * `POST /api/v1/messages` does — a bare Fastify route (the Fastify Herald runs on) doing one
 * `insertOne` (MongoDB driver, the copy mongoose uses) and one kafkajs `send` of the
 * `message.created` envelope (`acks: -1`), then answering 201. No Nest, no auth, no validation,
 * no outbox bookkeeping.
 *
 * Env: PORT, KAFKA_BROKERS, MONGODB_URI (with the database).
 */
import Fastify from 'fastify';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { mongo } from 'mongoose';
import { createHash, randomUUID } from 'node:crypto';

interface Body {
  recipientIds: string[];
  body: string;
}

const conversationOf = (participants: string[]): string =>
  'dm_' + createHash('sha256').update(participants.join('\n')).digest('hex').slice(0, 32);

async function main(): Promise<void> {
  const { PORT, KAFKA_BROKERS, MONGODB_URI } = process.env;
  if (!PORT || !KAFKA_BROKERS || !MONGODB_URI) throw new Error('PORT, KAFKA_BROKERS and MONGODB_URI are required');
  const client = new mongo.MongoClient(MONGODB_URI);
  await client.connect();
  const messages = client.db().collection('messages');
  const kafka = new Kafka({
    clientId: 'bench-baseline-ingest',
    brokers: KAFKA_BROKERS.split(','),
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();

  const app = Fastify({ bodyLimit: 64 * 1024 });
  app.post<{ Body: Body }>('/api/v1/messages', async (req, reply) => {
    const { recipientIds, body } = req.body;
    const senderId = 'alice';
    const participants = [...new Set([senderId, ...recipientIds])].sort();
    const doc = {
      _id: new mongo.ObjectId(),
      conversationId: conversationOf(participants),
      senderId,
      recipientIds,
      participants,
      body,
      createdAt: new Date(),
      eventId: randomUUID(),
      publishState: 'published',
    };
    await messages.insertOne(doc);
    const event = {
      eventId: doc.eventId,
      type: 'message.created',
      version: 1,
      occurredAt: doc.createdAt,
      data: {
        messageId: doc._id.toHexString(),
        conversationId: doc.conversationId,
        senderId,
        recipientIds,
        body,
        createdAt: doc.createdAt,
      },
    };
    await producer.send({
      topic: 'message.created',
      acks: -1,
      messages: [{ key: doc.conversationId, value: JSON.stringify(event) }],
    });
    reply.code(201);
    return {
      id: event.data.messageId,
      conversationId: doc.conversationId,
      senderId,
      recipientIds,
      body,
      createdAt: doc.createdAt,
    };
  });
  await app.listen({ port: Number(PORT), host: '127.0.0.1' });

  const stop = async (): Promise<void> => {
    await app.close().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await client.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  console.error('[baseline-ingest]', err);
  process.exit(1);
});
