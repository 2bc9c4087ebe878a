import { KafkaOptions, Transport } from '@nestjs/microservices';
import { AppConfig } from '@herald/config';
import { kafkaClientConfig } from './kafka-client.config';

/** Consumer group of the notifications app (Nest's `-server` suffix is turned off, see below). */
export const NOTIFICATIONS_GROUP_ID = 'notifications';

/**
 * Nest Kafka transport options of the notifications app's consumer.
 *
 * - `postfixId: ''`: Nest appends `-server` to groupId and clientId by default; Herald turns it off
 *   so the group is exactly `notifications` (what Conduktor and the Kafka CLI show).
 * - `subscribe.fromBeginning`: a group with no committed offset starts at the earliest offset, so
 *   events published before the group first joined are not skipped.
 * - `parser.keepBinary`: handlers receive the value as the original bytes; they decode and
 *   validate it themselves, and a poison record goes to the DLQ byte for byte.
 * - `run.partitionsConsumedConcurrently`: partitions handled in parallel (order holds per partition).
 * - Offsets are committed by kafkajs after the handler returns (auto-commit of resolved offsets):
 *   a handler that has not finished writing has not committed.
 */
export function kafkaServerOptions(config: AppConfig, groupId = NOTIFICATIONS_GROUP_ID): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
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
    },
  };
}
