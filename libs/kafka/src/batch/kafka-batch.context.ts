import { BaseRpcContext, EventPattern } from '@nestjs/microservices';
import { Consumer, KafkaMessage, Producer } from 'kafkajs';

/** `extras` key that marks an `@EventPattern` handler as a batch handler ({@link BatchEventPattern}). */
export const BATCH_HANDLER = 'heraldBatch';

type BatchContextArgs = [
  messages: KafkaMessage[],
  partition: number,
  topic: string,
  consumer: Consumer,
  heartbeat: () => Promise<void>,
  producer: Producer,
  highWatermark: string,
];

/**
 * The context a batch handler receives (`@Ctx()`): a run of consecutive records of ONE partition,
 * in offset order, exactly as kafkajs fetched them (key, value and header values are `Buffer`s).
 * The counterpart of Nest's `KafkaContext`, which carries a single record.
 */
export class KafkaBatchContext extends BaseRpcContext<BatchContextArgs> {
  constructor(args: BatchContextArgs) {
    super(args);
  }

  /** The records, oldest first (at least one). */
  getMessages(): KafkaMessage[] {
    return this.args[0];
  }

  getPartition(): number {
    return this.args[1];
  }

  getTopic(): string {
    return this.args[2];
  }

  /** kafkajs `heartbeat()`: call it during long work so the group keeps this member (session timeout). */
  getHeartbeat(): () => Promise<void> {
    return this.args[4];
  }

  /**
   * The consumer transport's producer, used only for the dead letters of this batch's records
   * (`publishDeadLetter`, awaited before the offsets are committed); every event an app publishes
   * goes through `EventPublisher`.
   */
  getProducer(): Producer {
    return this.args[5];
  }

  /**
   * The partition's records still to consume after these: high watermark (the offset the next
   * record will get) minus the last record's offset, minus one. Kafka's consumer lag of the group
   * once these are committed.
   */
  getLagAfter(): number {
    const messages = this.args[0];
    const last = BigInt(messages[messages.length - 1].offset);
    const lag = BigInt(this.args[6]) - last - 1n;
    return lag > 0n ? Number(lag) : 0;
  }
}

/**
 * `@EventPattern(topic)` for a handler that takes a whole batch: it is called with the records
 * (`@Payload()`, a `KafkaMessage[]`) and a {@link KafkaBatchContext} (`@Ctx()`), and the records'
 * offsets are resolved and committed only after it returns. Served by `RawServerKafka`; Nest's own
 * `ServerKafka` would call it per record.
 */
export const BatchEventPattern = (topic: string): MethodDecorator => EventPattern(topic, { [BATCH_HANDLER]: true });
