import { KafkaOptions, KafkaParser, ServerKafka } from '@nestjs/microservices';

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

/**
 * Nest's `ServerKafka` with {@link RawKafkaParser}: handlers get the raw kafkajs message through
 * `KafkaContext.getMessage()` and decode the value themselves (`decodeEvent`), so a poison record
 * can be moved to the DLQ byte for byte. Everything else (group, subscribe, run, producer) is
 * Nest's transport unchanged.
 */
export class RawServerKafka extends ServerKafka {
  constructor(options: Required<KafkaOptions>['options']) {
    super(options);
    this.parser = new RawKafkaParser();
  }
}
