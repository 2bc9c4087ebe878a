import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HEALTH_OPTIONS, HealthController, HealthOptions } from './health.controller';
import { KafkaBrokerHealthIndicator } from './kafka-broker.health';
import { KafkaConsumerProbe } from './kafka-consumer.probe';

/**
 * Liveness and readiness endpoints (@nestjs/terminus). Needs `AppConfig` and the app's mongoose
 * connection (MongoModule) in scope. Exports {@link KafkaConsumerProbe} for bootstrap wiring.
 */
@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: options }, KafkaBrokerHealthIndicator, KafkaConsumerProbe],
      exports: [KafkaConsumerProbe],
    };
  }
}
