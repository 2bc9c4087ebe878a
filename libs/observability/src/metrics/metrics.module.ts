import { DynamicModule, Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HeraldMetrics } from './herald-metrics';
import { MetricsController } from './metrics.controller';

/** Path of the metrics endpoint (excluded from the `/api/v1` prefix by `createHttpApp`). */
export const METRICS_PATH = '/metrics';

/**
 * Prometheus metrics of one app: {@link HeraldMetrics} (global, inject it anywhere) and
 * `GET /metrics`, registered through @willsoto/nestjs-prometheus with Herald's controller (public,
 * serving the app's own registry; default metrics are collected there, not in prom-client's global one).
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(appName: string): DynamicModule {
    return {
      module: MetricsModule,
      imports: [
        PrometheusModule.register({
          path: METRICS_PATH,
          controller: MetricsController,
          defaultMetrics: { enabled: false },
        }),
      ],
      providers: [{ provide: HeraldMetrics, useFactory: () => new HeraldMetrics(appName) }],
      exports: [HeraldMetrics],
    };
  }
}
