import { DynamicModule, Module } from '@nestjs/common';
import { HealthModule } from './health/health.module';
import { heraldLoggerModule } from './logging/logger.module';
import { MetricsModule } from './metrics/metrics.module';

/** What an app wants observed. */
export interface ObservabilityOptions {
  /** App name: pino `name`, Prometheus label `app`. */
  app: string;
  /** Readiness also requires the Kafka consumer to have joined its group. */
  consumer?: boolean;
}

/**
 * Logs, metrics and health of one app in one import: JSON logs with request ids (nestjs-pino),
 * `GET /metrics` + {@link HeraldMetrics} (global), `GET /health/live` and `GET /health/ready`.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        heraldLoggerModule(options.app),
        MetricsModule.forRoot(options.app),
        HealthModule.forRoot({ consumer: options.consumer }),
      ],
      exports: [HealthModule],
    };
  }
}
