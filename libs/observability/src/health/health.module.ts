import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HEALTH_OPTIONS, HealthController, HealthOptions } from './health.controller';
import { KafkaBrokerHealthIndicator } from './kafka-broker.health';
import { KafkaConsumerProbe, KafkaConsumerProbeFactory } from './kafka-consumer.probe';
import { ReadinessChecks } from './readiness-checks';

/**
 * Liveness and readiness endpoints (@nestjs/terminus). Needs `AppConfig` and the app's mongoose
 * connection (MongoModule) in scope. Global: exports {@link KafkaConsumerProbe} for bootstrap wiring,
 * {@link KafkaConsumerProbeFactory} for the probes of other consumers, and {@link ReadinessChecks},
 * where any module adds its own readiness check.
 */
@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      global: true,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_OPTIONS, useValue: options },
        KafkaBrokerHealthIndicator,
        KafkaConsumerProbe,
        KafkaConsumerProbeFactory,
        ReadinessChecks,
      ],
      exports: [KafkaConsumerProbe, KafkaConsumerProbeFactory, ReadinessChecks],
    };
  }
}
