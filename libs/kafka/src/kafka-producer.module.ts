import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { AppConfig } from '@herald/config';
import { EventPublisher, KAFKA_PRODUCER } from './event-publisher';
import { kafkaClientConfig } from './kafka-client.config';

/**
 * Registers a producer-only `ClientKafka` (no consumer group joined) and {@link EventPublisher}.
 *
 * Producer settings: idempotent (KIP-98; requires `acks: -1` and at most 5 in-flight requests, see
 * Kafka's `enable.idempotence` doc), default murmur2 partitioner so equal keys land on equal
 * partitions as with the Java client.
 */
@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: KAFKA_PRODUCER,
        inject: [AppConfig],
        useFactory: (config: AppConfig) => ({
          transport: Transport.KAFKA,
          options: {
            client: kafkaClientConfig(config),
            producerOnlyMode: true,
            producer: {
              idempotent: true,
              maxInFlightRequests: 5,
              // Unlimited retries keep the idempotent producer's sequence numbers valid (kafkajs
              // warns that limiting them may break exactly-once); callers bound their own wait.
              retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: Number.MAX_SAFE_INTEGER },
              allowAutoTopicCreation: false,
              createPartitioner: Partitioners.DefaultPartitioner,
            },
            send: { acks: -1 },
          },
        }),
      },
    ]),
  ],
  providers: [EventPublisher],
  exports: [EventPublisher],
})
export class KafkaProducerModule {}
