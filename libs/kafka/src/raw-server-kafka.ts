import { KafkaContext, KafkaOptions, KafkaParser, ServerKafka } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { BATCH_HANDLER, KafkaBatchContext } from './batch/kafka-batch.context';

/**
 * A Nest Kafka parser that leaves every record exactly as kafkajs delivered it: key, value and
 * header values stay the original `Buffer`s (multi-valued headers stay arrays).
 *
 * Nest's own `KafkaParser` decodes keys and headers even with `keepBinary`: anything starting with
 * `{` or `[` becomes a parsed object, other bytes a UTF-8 string, and a repeated header is joined
 * into one string. A dead-lettered record would then not carry its original bytes, and a JSON-shaped
 * key or header value (an object) cannot be produced again at all, so the DLQ write would fail on
 * every retry and stall the partition.
 */
export class RawKafkaParser extends KafkaParser {
  constructor() {
    super({ keepBinary: true });
  }

  override parse<T = unknown>(data: { headers?: Record<string, unknown> }): T {
    // Shallow copy, as Nest's parser does: kafkajs retries with the original object.
    return { ...data, headers: { ...(data.headers ?? {}) } } as T;
  }
}

/** Options of {@link RawServerKafka} beyond Nest's Kafka transport options. */
export interface RawServerKafkaOptions {
  /** Most records passed to one call of a batch handler (default 500). */
  maxBatchRecords?: number;
}

/** `items` cut into consecutive runs of at most `size` (the last may be shorter). Pure. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Nest's `ServerKafka` with two changes, everything else (group, subscribe, producer, handler
 * registry, exception filters, `@EventPattern`) being Nest's transport unchanged:
 *
 * - {@link RawKafkaParser}: handlers get the records' original bytes and decode the value
 *   themselves, so a poison record can be moved to the DLQ byte for byte;
 * - kafkajs `eachBatch` instead of `eachMessage`. A handler declared with `@BatchEventPattern` is
 *   called once per run of up to `maxBatchRecords` records of one partition (payload: the records;
 *   context: {@link KafkaBatchContext}) and can store them with one write; other `@EventPattern`
 *   handlers are still called once per record, with Nest's `KafkaContext`, in offset order.
 *
 * Offsets (kafkajs `eachBatchAutoResolve: false`): a record's offset is resolved only after its
 * handler call returned, then committed by kafkajs auto-commit after the batch. When a handler
 * throws, the rest of the batch is not resolved: kafkajs restarts the consumer and those records
 * are delivered again, here or to the partition's next owner (at-least-once; handlers are
 * idempotent). After a rebalance (`isStale()`) or while stopping (`!isRunning()`) no further chunk
 * of the batch is started. See kafkajs, "Consuming messages: eachBatch".
 */
export class RawServerKafka extends ServerKafka {
  private readonly maxBatchRecords: number;

  constructor(options: Required<KafkaOptions>['options'], extra: RawServerKafkaOptions = {}) {
    super(options);
    this.parser = new RawKafkaParser();
    this.maxBatchRecords = extra.maxBatchRecords ?? 500;
  }

  /** Subscribes to every registered pattern (topic) and runs the consumer with `eachBatch`. */
  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length > 0) await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics });
    await consumer.run({
      ...(this.options.run ?? {}),
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** One fetched batch of one partition: batch handler per chunk, or the per-record handler. */
  async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    if (batch.messages.length === 0) return;
    const handler = this.getHandlerByPattern(batch.topic);
    const batched = handler?.extras?.[BATCH_HANDLER] === true;
    const size = batched ? this.maxBatchRecords : 1;
    for (const chunk of chunksOf(batch.messages, size)) {
      if (!isRunning() || isStale()) return;
      if (batched)
        await this.handleEvent(
          batch.topic,
          { pattern: batch.topic, data: chunk },
          this.batchContext(payload, chunk) as unknown as KafkaContext,
        );
      else
        await this.handleMessage({
          topic: batch.topic,
          partition: batch.partition,
          message: chunk[0],
          heartbeat,
          pause: payload.pause,
        } as never);
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
  }

  private batchContext({ batch, heartbeat }: EachBatchPayload, chunk: KafkaMessage[]): KafkaBatchContext {
    return new KafkaBatchContext([
      chunk,
      batch.partition,
      batch.topic,
      this.consumer as unknown as Consumer,
      heartbeat,
      this.producer as unknown as Producer,
      batch.highWatermark,
    ]);
  }
}
