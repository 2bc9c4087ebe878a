import { CustomStrategy, KafkaOptions } from '@nestjs/microservices';
import { AppConfig } from '@herald/config';
import { kafkaClientConfig } from './kafka-client.config';
import { RawServerKafka } from './raw-server-kafka';

/**
 * Default consumer group of the notifications app (`KAFKA_CONSUMER_GROUP`; Nest's `-server` suffix
 * is turned off, see below).
 */
export const NOTIFICATIONS_GROUP_ID = 'notifications';

/** Options of Nest's Kafka transport (the `options` of `KafkaOptions`). */
export type KafkaTransportOptions = Required<KafkaOptions>['options'];

/**
 * Nest microservice options of the notifications app's consumer, for `app.connectMicroservice()`:
 * Nest's Kafka transport as a custom strategy, {@link RawServerKafka}, so handlers receive key,
 * value and headers as the original bytes (Nest's own parser decodes keys and headers); they decode
 * and validate the value themselves, and a poison record goes to the DLQ byte for byte.
 * `options` are the transport options it was built with ({@link kafkaTransportOptions}).
 */
export function kafkaServerOptions(config: AppConfig, groupId = config.env.KAFKA_CONSUMER_GROUP): CustomStrategy & { options: KafkaTransportOptions } {
  const options = kafkaTransportOptions(config, groupId);
  return { strategy: new RawServerKafka(options, { maxBatchRecords: config.env.KAFKA_CONSUMER_BATCH_SIZE }), options };
}

/**
 * Kafka transport options of the notifications app's consumer.
 *
 * - `groupId`: `KAFKA_CONSUMER_GROUP`, default `notifications`.
 * - `postfixId: ''`: Nest appends `-server` to groupId and clientId by default; Herald turns it off
 *   so the group is exactly `notifications` (what Conduktor and the Kafka CLI show).
 * - `subscribe.fromBeginning`: a group with no committed offset starts at the earliest offset, so
 *   events published before the group first joined are not skipped.
 * - `run.partitionsConsumedConcurrently`: partitions handled in parallel (order holds per partition).
 * - Offsets are committed by kafkajs after the handler returns (auto-commit of resolved offsets):
 *   a handler that has not finished writing has not committed. Records are fetched with
 *   `eachBatch` ({@link RawServerKafka}); `KAFKA_CONSUMER_BATCH_SIZE` bounds one batch handler call.
 */
export function kafkaTransportOptions(config: AppConfig, groupId = config.env.KAFKA_CONSUMER_GROUP): KafkaTransportOptions {
  return {
    postfixId: '',
    client: kafkaClientConfig(config, `${config.env.KAFKA_CLIENT_ID}-notifications`),
    consumer: {
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10_000 },
    },
    subscribe: { fromBeginning: true },
    run: { partitionsConsumedConcurrently: 3 },
    parser: { keepBinary: true },
    producer: {
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: Number.MAX_SAFE_INTEGER },
    },
  };
}
