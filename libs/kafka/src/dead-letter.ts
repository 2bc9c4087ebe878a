import { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { DeadLetterTopics } from '@herald/contracts';
import { inSendLane } from './send-lane';
import { resendUntilAcknowledged } from './send-retry';

/** Headers Herald adds to a dead-lettered record (the original headers are kept as they were). */
export const DlqHeaders = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  stack: 'dlq-stack',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  failedAt: 'dlq-failed-at',
  consumerGroup: 'dlq-consumer-group',
} as const;

/** Where a poison record came from and why it was rejected. */
export interface DeadLetter {
  topic: string;
  partition: number;
  /** The original record; its key and value bytes are republished untouched. */
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;
  /** Stable machine-readable reason, e.g. `not-json`, `invalid-schema`, `store-failed`. */
  reason: string;
  error: string;
  stack?: string;
  groupId: string;
}

/**
 * DLQ topic of a source topic, from `DeadLetterTopics` in @herald/contracts (`<topic>.dlq`).
 * @throws Error for a topic that has no DLQ there (a consumer wired to a topic without one)
 */
export function dlqTopicOf(topic: string): string {
  const dlq = DeadLetterTopics[topic];
  if (!dlq) throw new Error(`topic ${topic} has no dead-letter topic in DeadLetterTopics (@herald/contracts)`);
  return dlq;
}

/**
 * Builds the DLQ record: original key, value (exact bytes) and headers, plus `dlq-*` headers
 * describing the failure and the source coordinates (topic, partition, offset). Pure.
 */
export function toDeadLetterRecord(d: DeadLetter): { key: Buffer | null; value: Buffer | null; headers: IHeaders } {
  const original = (d.message.headers ?? {}) as IHeaders;
  return {
    key: (d.message.key as Buffer | null) ?? null,
    value: (d.message.value as Buffer | null) ?? null,
    headers: {
      ...original,
      [DlqHeaders.reason]: d.reason,
      [DlqHeaders.error]: d.error.slice(0, 4000),
      ...(d.stack ? { [DlqHeaders.stack]: d.stack.slice(0, 8000) } : {}),
      [DlqHeaders.sourceTopic]: d.topic,
      [DlqHeaders.sourcePartition]: String(d.partition),
      [DlqHeaders.sourceOffset]: d.message.offset,
      [DlqHeaders.failedAt]: new Date().toISOString(),
      [DlqHeaders.consumerGroup]: d.groupId,
    },
  };
}

/**
 * Publishes a poison record to `<topic>.dlq` with `acks: -1` and waits for the acknowledgement, so
 * the caller may then commit the source offset (the record is never lost, only moved). Queued
 * behind the producer's other sends ({@link inSendLane}).
 *
 * @throws KafkaJSError when the DLQ write fails; the caller must not commit then
 */
export async function publishDeadLetter(producer: Producer, d: DeadLetter): Promise<void> {
  await inSendLane(producer, () =>
    resendUntilAcknowledged(() =>
      producer.send({ topic: dlqTopicOf(d.topic), acks: -1, messages: [toDeadLetterRecord(d)] }),
    ),
  );
}
