import { CustomStrategy, KafkaOptions } from '@nestjs/microservices';
import { AppConfig } from '@herald/config';
import { kafkaClientConfig } from './kafka-client.config';
import { RawServerKafka } from './raw-server-kafka';
import { PRODUCER_SETTINGS } from './producer-settings';

/**
 * Who consumes: the consumer group and the kafkajs client id suffix (`<KAFKA_CLIENT_ID>-<role>`).
 * Each app names its own (settings `KAFKA_CONSUMER_GROUP` of the notifications app,
 * `KAFKA_CONVERSATIONS_GROUP` of the messages app's conversation projection). Two groups on one
 * topic each read every record (Kafka's pub/sub side), while the instances inside one group share
 * the partitions (its queue side).
 */
export interface KafkaConsumerRole {
  /** Consumer group id, used as given (Nest's `-server` suffix is turned off, see {@link kafkaTransportOptions}). */
  groupId: string;
  /** e.g. `notifications`, `conversations`: the client id Kafka's logs and Conduktor show. */
  role: string;
  /**
   * How long the broker may hold a fetch until records worth {@link FETCH_LINGER_MIN_BYTES} arrived,
   * in ms (kafkajs `maxWaitTimeInMs` with `minBytes`: Kafka's `fetch.max.wait.ms` / `fetch.min.bytes`,
   * Kafka docs, "Consumer Configs"). Omitted or 0: fetches return as soon as one record is there
   * (kafkajs `minBytes` 1), for consumers whose latency users see.
   */
  fetchLingerMs?: number;
}

/**
 * `minBytes` of a lingering consumer's fetches (see {@link KafkaConsumerRole.fetchLingerMs}): more
 * than a linger's worth of `message.created` records at any rate Herald takes, so the fetch returns
 * after the linger, with everything that arrived meanwhile, as one batch.
 */
export const FETCH_LINGER_MIN_BYTES = 1024 * 1024;

/** Options of Nest's Kafka transport (the `options` of `KafkaOptions`). */
export type KafkaTransportOptions = Required<KafkaOptions>['options'];

/**
 * Nest microservice options of a Herald batch consumer, for `app.connectMicroservice()`:
 * Nest's Kafka transport as a custom strategy, {@link RawServerKafka}, so handlers receive key,
 * value and headers as the original bytes (Nest's own parser decodes keys and headers); they decode
 * and validate the value themselves, and a poison record goes to the DLQ byte for byte.
 * `options` are the transport options it was built with ({@link kafkaTransportOptions}).
 */
export function kafkaServerOptions(
  config: AppConfig,
  consumer: KafkaConsumerRole,
): CustomStrategy & { options: KafkaTransportOptions } {
  const options = kafkaTransportOptions(config, consumer);
  return { strategy: new RawServerKafka(options, { maxBatchRecords: config.env.KAFKA_CONSUMER_BATCH_SIZE }), options };
}

/**
 * Kafka transport options of a Herald batch consumer: the notifications app's
 * (`{ groupId: KAFKA_CONSUMER_GROUP, role: 'notifications' }`) or the messages app's conversation
 * projection (`{ groupId: KAFKA_CONVERSATIONS_GROUP, role: 'conversations' }`).
 *
 * - `groupId`: the role's group.
 * - `postfixId: ''`: Nest appends `-server` to groupId and clientId by default; Herald turns it off
 *   so the group is exactly `notifications` (what Conduktor and the Kafka CLI show).
 * - `subscribe.fromBeginning`: a group with no committed offset starts at the earliest offset, so
 *   events published before the group first joined are not skipped.
 * - `run.partitionsConsumedConcurrently`: partitions handled in parallel (order holds per partition).
 * - Offsets are committed by kafkajs after the handler returns (auto-commit of resolved offsets):
 *   a handler that has not finished writing has not committed. Records are fetched with
 *   `eachBatch` ({@link RawServerKafka}); `KAFKA_CONSUMER_BATCH_SIZE` bounds one batch handler call.
 */
export function kafkaTransportOptions(
  config: AppConfig,
  { groupId, role, fetchLingerMs }: KafkaConsumerRole,
): KafkaTransportOptions {
  return {
    postfixId: '',
    client: kafkaClientConfig(config, `${config.env.KAFKA_CLIENT_ID}-${role}`),
    consumer: {
      groupId,
      ...(fetchLingerMs ? { minBytes: FETCH_LINGER_MIN_BYTES, maxWaitTimeInMs: fetchLingerMs } : {}),
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10_000 },
    },
    subscribe: { fromBeginning: true },
    run: { partitionsConsumedConcurrently: 3 },
    parser: { keepBinary: true },
    producer: PRODUCER_SETTINGS,
  };
}
