import { KafkaMessage } from 'kafkajs';
import { EventEnvelope } from '@herald/contracts';
import { BatchFailure, batchCoordinates, deadLetterFromBatch, decodeBatch, DecodedRecord } from './batch-dead-letter';
import { KafkaBatchContext } from './kafka-batch.context';
import { retryWrite, WriteRetryPolicy } from './write-retry';

/** How a database's write errors are told apart (e.g. `MONGO_WRITE_ERRORS` of @herald/mongo). */
export interface WriteErrorRules {
  /** A failure about the documents themselves: retrying cannot help, the records go to the DLQ path. */
  isPermanent(err: unknown): boolean;
  /** The database unreachable or timing out: retried in place, logged as such. */
  isTransient(err: unknown): boolean;
  /** The database's name in logs (`<name> unavailable`). */
  name: string;
}

/** What a batch consumer tells {@link BatchWrites}: its group, its write, its rules, counter and log. */
export interface BatchWritesOptions {
  /** Consumer group named in each dead letter (header `dlq-consumer-group`). */
  groupId: string;
  /** What the consumer writes, for logs (e.g. `store`, `projection write`). */
  what: string;
  rules: WriteErrorRules;
  /** True once the app is shutting down: retries stop, the batch is left uncommitted. */
  isStopping(): boolean;
  /** Counts one dead-lettered record (e.g. `herald_events_dead_lettered_total{topic,reason}`). */
  countDeadLetter(topic: string, reason: string): void;
  /** Logs retries and dead letters (warnings). */
  logger: { warn(message: string): void };
}

/** How {@link BatchWrites.write} stores a batch's valid records, and splits it after a permanent failure. */
export interface BatchWriteSpec<E, R> {
  /** Stores records (the whole batch, or one group of it): the consumer's own write. */
  write(records: ReadonlyArray<DecodedRecord<E>>): Promise<R>;
  /**
   * The group a record is written with after a document-level failure of the whole batch; also its
   * name in logs (e.g. its conversation, or the record itself: `event <id> <topic>/<p>@<offset>`).
   */
  groupOf(record: DecodedRecord<E>): string;
  /** The result of a group whose records were dead-lettered. */
  empty(): R;
  /** The results of the groups, in order, as one. */
  merge(results: R[]): R;
}

/**
 * The steps around its own write that every `@BatchEventPattern` consumer of Herald takes the same
 * way (the `notifications` consumer and the `conversations` projection):
 *
 * 1. {@link decode}: every record decoded and validated; a poison record is dead-lettered
 *    ({@link deadLetter}) and left out, so it never stalls the partition;
 * 2. {@link write}: the valid records written together, retried in place until the write succeeds
 *    ({@link retryWrite}: a database outage stalls the partition, never dead-letters); only a
 *    failure about the documents themselves (`policy.isPermanent`) makes it write the records
 *    group by group, each retried the same way, and dead-letter the records of a group whose write
 *    fails permanently (`store-failed`).
 *
 * A dead letter is acknowledged by Kafka before the handler goes on, so the batch's offsets may be
 * committed after the handler returns: a record is moved, never lost.
 */
export class BatchWrites {
  /** Retries of a failed write ({@link retryWrite}): permanent → the group-by-group path, else in place. */
  private readonly policy: WriteRetryPolicy;

  constructor(private readonly options: BatchWritesOptions) {
    const { rules, logger, what } = options;
    this.policy = {
      isPermanent: (err) => rules.isPermanent(err),
      isStopping: () => options.isStopping(),
      warn: (message) => logger.warn(message),
      explain: (err) =>
        rules.isTransient(err)
          ? `${rules.name} unavailable`
          : `${what} failed (unclassified error, retried, not dead-lettered)`,
    };
  }

  /**
   * The batch's valid records in offset order (poison dead-lettered, see {@link decodeBatch}).
   * @throws KafkaJSError when a DLQ write fails (nothing of the batch may be committed then)
   */
  decode<T extends EventEnvelope<unknown>>(
    ctx: KafkaBatchContext,
    cls: { new (): T; readonly type: string; readonly version: number },
  ): Promise<Array<DecodedRecord<T>>> {
    return decodeBatch(ctx, cls, (record, failure) => this.deadLetter(ctx, record, failure));
  }

  /**
   * Writes `valid` as one batch; after a permanent failure, group by group ({@link BatchWriteSpec.groupOf}).
   * @returns the write's result, or the merged results of the groups
   * @throws Error when the app shuts down mid-retry, or what a heartbeat or a DLQ write throws
   *   (the batch is not committed then, and is delivered again)
   */
  write<E, R>(ctx: KafkaBatchContext, valid: ReadonlyArray<DecodedRecord<E>>, spec: BatchWriteSpec<E, R>): Promise<R> {
    return retryWrite(
      ctx,
      `${valid.length} event(s) ${batchCoordinates(ctx)}`,
      () => spec.write(valid),
      () => this.writeApart(ctx, valid, spec),
      this.policy,
    );
  }

  /**
   * Moves one record of the batch to `<topic>.dlq` ({@link deadLetterFromBatch}), counts and logs it.
   * @throws KafkaJSError when the DLQ write fails
   */
  async deadLetter(ctx: KafkaBatchContext, record: KafkaMessage, failure: BatchFailure): Promise<void> {
    await deadLetterFromBatch(ctx, record, failure, this.options.groupId);
    this.options.countDeadLetter(ctx.getTopic(), failure.reason);
    this.options.logger.warn(
      `dead-lettered ${ctx.getTopic()}/${ctx.getPartition()}@${record.offset} (${failure.reason}): ${failure.error.slice(0, 300)}`,
    );
  }

  private async writeApart<E, R>(
    ctx: KafkaBatchContext,
    valid: ReadonlyArray<DecodedRecord<E>>,
    spec: BatchWriteSpec<E, R>,
  ): Promise<R> {
    const groups = new Map<string, Array<DecodedRecord<E>>>();
    for (const v of valid) {
      const key = spec.groupOf(v);
      const group = groups.get(key);
      if (group) group.push(v);
      else groups.set(key, [v]);
    }
    const results: R[] = [];
    for (const [where, group] of groups) {
      results.push(
        await retryWrite(
          ctx,
          where,
          () => spec.write(group),
          async (err) => {
            for (const { record } of group)
              await this.deadLetter(ctx, record, { reason: 'store-failed', error: err.message, stack: err.stack });
            return spec.empty();
          },
          this.policy,
        ),
      );
    }
    return spec.merge(results);
  }
}
