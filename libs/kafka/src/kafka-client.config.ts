import { KafkaConfig, logLevel } from 'kafkajs';
import { AppConfig } from '@herald/config';
import { kafkaSecurityOptions } from './kafka-security';

/**
 * kafkajs client settings shared by producers, consumers and the admin client of both apps.
 *
 * TLS and SASL come from {@link kafkaSecurityOptions} (KAFKA_SSL*, KAFKA_SASL*).
 *
 * `retry` bounds reconnect attempts per operation (kafkajs default 5 retries, 300 ms initial,
 * 30 s max); callers that must survive long outages (the outbox relay, the consumer) loop on top.
 *
 * @param clientId kafkajs clientId; Nest's transport appends `-client` / `-server` to it.
 */
export function kafkaClientConfig(config: AppConfig, clientId = config.env.KAFKA_CLIENT_ID): KafkaConfig {
  return {
    clientId,
    brokers: config.kafkaBrokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 5, maxRetryTime: 5000 },
    ...kafkaSecurityOptions(config),
  };
}
