import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { AppConfig } from '@herald/config';
import { EventPublisher, KAFKA_PRODUCER } from './event-publisher';
import { kafkaClientConfig } from './kafka-client.config';
import { PRODUCER_SETTINGS } from './producer-settings';

/**
 * Registers a producer-only `ClientKafka` (no consumer group joined) and {@link EventPublisher}.
 *
 * Producer settings: {@link PRODUCER_SETTINGS} (not idempotent: why is told there), `acks: -1`,
 * default murmur2 partitioner so equal keys land on equal partitions as with the Java client.
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
            producer: { ...PRODUCER_SETTINGS, createPartitioner: Partitioners.DefaultPartitioner },
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
