import { randomBytes } from 'node:crypto';
import { IHeaders, Kafka, logLevel, Producer } from 'kafkajs';
import { testServers } from './env';

/** Offsets per partition of one topic. */
export type Offsets = Map<number, bigint>;

/** A record read back from a topic, bytes untouched. */
export interface ScannedRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** A kafkajs client for the test servers (silent; the tests report what matters). */
export function testKafka(clientId = 'herald-fault-test'): Kafka {
  return new Kafka({
    clientId,
    brokers: testServers().KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 },
  });
}

/** High watermark (next offset to be written) of each partition of `topic`. */
export async function topicEnds(topic: string): Promise<Offsets> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads `topic` from the offsets `from` (e.g. {@link topicEnds} taken when the test started) up to
 * its end at the time of the call, and returns the records `keep` accepts. Uses a throw-away
 * consumer group whose offsets are set to `from` before it joins, and deletes it afterwards.
 * @throws Error when the end is not reached within `timeoutMs` (default 120 s)
 */
export async function scanTopic(
  topic: string,
  from: Offsets,
  keep: (r: ScannedRecord) => boolean,
  timeoutMs = 120_000,
): Promise<ScannedRecord[]> {
  const kafka = testKafka();
  const ends = await topicEnds(topic);
  const remaining = new Map([...ends].filter(([p, end]) => end > (from.get(p) ?? 0n)));
  const found: ScannedRecord[] = [];
  if (remaining.size === 0) return found;
  const groupId = `herald-fault-scan-${randomBytes(6).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024 });
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...ends.keys()].map((p) => ({ partition: p, offset: String(from.get(p) ?? 0n) })),
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `scan of ${topic} incomplete after ${timeoutMs} ms: ${JSON.stringify([...remaining].map(([p, o]) => [p, String(o)]))}`,
            ),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const end = remaining.get(partition);
            if (end === undefined || BigInt(message.offset) >= end) return;
            const record = {
              partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers: message.headers ?? {},
            };
            if (keep(record)) found.push(record);
            if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return found;
}

/**
 * Lag of consumer group `groupId` on `topic`: Σ over partitions of high watermark − committed
 * offset (a partition with no committed offset counts from its low watermark).
 */
export async function groupLag(groupId: string, topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map(committed[0].partitions.map((p) => [p.partition, BigInt(p.offset)]));
    return ends.reduce((sum, p) => {
      const c = done.get(p.partition) ?? -1n;
      const start = c < 0n ? BigInt(p.low) : c;
      return sum + Number(BigInt(p.high) > start ? BigInt(p.high) - start : 0n);
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

/** A connected producer (acks from all in-sync replicas by default); disconnect it when done. */
export async function testProducer(): Promise<Producer> {
  const producer = testKafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** Header the fault tests put on records they produce directly, to find them again in the DLQ. */
export const MARKER_HEADER = 'fault-marker';

/**
 * DLQ records belonging to a test: produced after `from`, and whose value, key or
 * {@link MARKER_HEADER} header contains `tag` (the test's unique user-id prefix or marker).
 */
export function dlqRecordsOf(dlqTopic: string, from: Offsets, tag: string): Promise<ScannedRecord[]> {
  return scanTopic(dlqTopic, from, (r) => belongsTo(r, tag));
}

/** True when the record's value, key or {@link MARKER_HEADER} header contains `tag`. */
export function belongsTo(r: ScannedRecord, tag: string): boolean {
  const has = (b: Buffer | string | (Buffer | string)[] | null | undefined): boolean =>
    b != null && (Array.isArray(b) ? b.some(has) : Buffer.from(b).includes(tag));
  return has(r.value) || has(r.key) || has(r.headers[MARKER_HEADER]);
}
