import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, MongooseHealthIndicator } from '@nestjs/terminus';
import { Public } from '@herald/auth';
import { KafkaBrokerHealthIndicator } from './kafka-broker.health';
import { KafkaConsumerProbe } from './kafka-consumer.probe';

/** Options of the health endpoints of one app. */
export interface HealthOptions {
  /** Also require this instance's Kafka consumer to have joined its group (the notifications app). */
  consumer?: boolean;
}

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

/** Longest a readiness probe waits for MongoDB, in ms. */
export const MONGO_PROBE_TIMEOUT_MS = 1500;

/**
 * `GET /health/live` and `GET /health/ready` (outside `/api/v1`, no token). Both answer 200 with
 * terminus' `{ status: "ok", info, error, details }`; a failed readiness check answers 503 with the
 * error body `{ statusCode, error, message, details }` whose `details` names each check's status.
 */
@ApiTags('observability')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    private readonly kafka: KafkaBrokerHealthIndicator,
    private readonly consumer: KafkaConsumerProbe,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
  ) {}

  /** Liveness: the process runs and its event loop answers. Never checks dependencies. */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness probe (the process is up)' })
  live() {
    return this.health.check([]);
  }

  /** Readiness: MongoDB answers a ping, Kafka answers metadata, and (notifications) the consumer joined its group. */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness probe (MongoDB, Kafka, consumer group)' })
  ready() {
    const checks: HealthIndicatorFunction[] = [
      () => this.mongo.pingCheck('mongodb', { timeout: MONGO_PROBE_TIMEOUT_MS }),
      () => this.kafka.isHealthy('kafka'),
    ];
    if (this.options.consumer) checks.push(() => this.consumer.isHealthy('kafkaConsumer'));
    return this.health.check(checks);
  }
}
