import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '@herald/auth';
import { HeraldMetrics } from './herald-metrics';

/** Prometheus exposition format content type (text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `GET /metrics` (outside `/api/v1`, no token): this app's metrics for Prometheus to scrape. */
@ApiTags('observability')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: HeraldMetrics) {}

  @Public()
  @Get()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  index(): Promise<string> {
    return this.metrics.render();
  }
}
