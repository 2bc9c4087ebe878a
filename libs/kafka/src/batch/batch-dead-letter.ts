import { KafkaMessage } from 'kafkajs';
import { decodeEvent, EventEnvelope } from '@herald/contracts';
import { publishDeadLetter } from '../dead-letter';
import { KafkaBatchContext } from './kafka-batch.context';

/** A record of a batch and the event it carries. */
export interface DecodedRecord<T> {
  record: KafkaMessage;
  event: T;
}

/** Why a record of a batch is dead-lettered (see `DeadLetter`). */
export interface BatchFailure {
  /** Stable machine-readable reason: a `DecodeFailure` of @herald/contracts, or `store-failed`. */
  reason: string;
  error: string;
  stack?: string;
}

/**
 * Moves one record of the batch to `<topic>.dlq` byte for byte, with the batch's coordinates and
 * the consumer group that rejected it, and waits for Kafka's acknowledgement (`acks: -1`), so the
 * record's offset may then be committed: the record is moved, never lost.
 * @throws KafkaJSError when the DLQ write fails (the caller must not commit: let it propagate)
 */
export function deadLetterFromBatch(
  ctx: KafkaBatchContext,
  record: KafkaMessage,
  failure: BatchFailure,
  groupId: string,
): Promise<void> {
  return publishDeadLetter(ctx.getProducer(), {
    topic: ctx.getTopic(),
    partition: ctx.getPartition(),
    message: record,
    reason: failure.reason,
    error: failure.error,
    stack: failure.stack,
    groupId,
  });
}

/**
 * Decodes and validates every record of the batch against `cls` (`decodeEvent` of
 * @herald/contracts) in offset order. A poison record (empty, oversized, not JSON, wrong schema,
 * unknown version) is handed to `onPoison` (which dead-letters it) and left out, so it never stalls
 * the partition; the valid ones are returned in offset order.
 * @throws what `onPoison` throws (a failed DLQ write: nothing of the batch is committed then)
 */
export async function decodeBatch<T extends EventEnvelope<unknown>>(
  ctx: KafkaBatchContext,
  cls: { new (): T; readonly type: string; readonly version: number },
  onPoison: (record: KafkaMessage, failure: BatchFailure) => Promise<void>,
): Promise<Array<DecodedRecord<T>>> {
  const valid: Array<DecodedRecord<T>> = [];
  for (const record of ctx.getMessages()) {
    const decoded = decodeEvent(cls, record.value);
    if (decoded.ok) valid.push({ record, event: decoded.event });
    else await onPoison(record, { reason: decoded.reason, error: decoded.message });
  }
  return valid;
}

/** `topic/partition@first..last` of a batch, for logs. */
export function batchCoordinates(ctx: KafkaBatchContext): string {
  const records = ctx.getMessages();
  return `${ctx.getTopic()}/${ctx.getPartition()}@${records[0].offset}..${records[records.length - 1].offset}`;
}
