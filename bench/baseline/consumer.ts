/**
 * Baseline of the consumer catch-up benchmark: the least code that does the notifications app's
 * storage job. A raw kafkajs consumer (eachBatch, 3 partitions concurrently, offsets committed
 * after each batch) turns each `message.created` record into one notification per recipient (the
 * same documents as the app's `notificationsFor`) and writes a whole batch with one unordered
 * `bulkWrite` of `insertOne`s on the same unique (eventId, recipientId) index; duplicate-key errors
 * (redeliveries) are ignored. No validation, no framework, no push event.
 *
 * Env: KAFKA_BROKERS, MONGODB_URI (with the database), BENCH_GROUP, BENCH_TOPIC (message.created),
 * BENCH_INDEXES (JSON `[[keys, options], ...]`, the indexes to build first; default: only the
 * unique `(eventId, recipientId)` index).
 */
import { Kafka, logLevel } from 'kafkajs';
import { mongo } from 'mongoose';

interface Envelope {
  eventId: string;
  data: {
    messageId: string;
    conversationId: string;
    senderId: string;
    recipientIds: string[];
    body: string;
    createdAt: string;
  };
}

const PREVIEW_LENGTH = 140;

function notifications(e: Envelope, storedAt: Date): Record<string, unknown>[] {
  const d = e.data;
  const preview = [...d.body].slice(0, PREVIEW_LENGTH).join('');
  const createdAt = new Date(d.createdAt);
  return [...new Set(d.recipientIds)]
    .filter((r) => r !== d.senderId)
    .map((recipientId) => ({
      recipientId,
      type: 'message.created',
      eventId: e.eventId,
      messageId: d.messageId,
      conversationId: d.conversationId,
      senderId: d.senderId,
      preview,
      createdAt,
      storedAt,
      seenAt: null,
      readAt: null,
      archivedAt: null,
    }));
}

const isOnlyDuplicates = (err: unknown): boolean => {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number }> };
  return e.code === 11000 || (Array.isArray(e.writeErrors) && e.writeErrors.every((w) => w.code === 11000));
};

async function main(): Promise<void> {
  const { KAFKA_BROKERS, MONGODB_URI, BENCH_GROUP } = process.env;
  if (!KAFKA_BROKERS || !MONGODB_URI || !BENCH_GROUP)
    throw new Error('KAFKA_BROKERS, MONGODB_URI and BENCH_GROUP are required');
  const topic = process.env.BENCH_TOPIC || 'message.created';
  const client = new mongo.MongoClient(MONGODB_URI);
  await client.connect();
  const col = client.db().collection('notifications');
  const indexes = JSON.parse(process.env.BENCH_INDEXES || '[[{"eventId":1,"recipientId":1},{"unique":true}]]') as Array<
    [mongo.IndexSpecification, mongo.CreateIndexesOptions]
  >;
  for (const [keys, options] of indexes) await col.createIndex(keys, options);

  const kafka = new Kafka({ clientId: 'bench-baseline', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId: BENCH_GROUP, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, heartbeat }) => {
      const storedAt = new Date();
      const ops = batch.messages.flatMap((m) =>
        m.value
          ? notifications(JSON.parse(m.value.toString()) as Envelope, storedAt).map((document) => ({
              insertOne: { document },
            }))
          : [],
      );
      if (ops.length > 0) {
        try {
          await col.bulkWrite(ops, { ordered: false });
        } catch (err) {
          if (!isOnlyDuplicates(err)) throw err;
        }
      }
      await heartbeat();
    },
  });

  const stop = async (): Promise<void> => {
    await consumer.disconnect().catch(() => undefined);
    await client.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  console.error('[baseline-consumer]', err);
  process.exit(1);
});
