import { Controller, Get, HttpStatus, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  MongooseHealthIndicator,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '@herald/auth';
import { KafkaBrokerHealthIndicator } from './kafka-broker.health';
import { KafkaConsumerProbe } from './kafka-consumer.probe';
import { ReadinessChecks } from './readiness-checks';

/** Options of the health endpoints of one app. */
export interface HealthOptions {
  /**
   * Also require this instance's Kafka consumer to have joined its group: group `notifications`
   * (notifications app) or `conversations` (the messages app's conversation projection).
   */
  consumer?: boolean;
}

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

/** Longest a readiness probe waits for MongoDB, in ms. */
export const MONGO_PROBE_TIMEOUT_MS = 1500;

/** Body of a failed readiness probe: Herald's error shape, `details` = every check's result. */
export interface NotReadyBody {
  statusCode: 503;
  error: 'Service Unavailable';
  /** `not ready: <failed checks>`. */
  message: string;
  details: HealthCheckResult['details'];
}

/**
 * `GET /health/live` and `GET /health/ready` (outside `/api/v1`, no token). Both answer 200 with
 * terminus' `{ status: "ok", info, error, details }`; a failed readiness check answers 503
 * (`Retry-After: 5`) with the error body `{ statusCode, error, message, details }` whose `details`
 * gives each check's status. Terminus logs one line per failed check run; the expected 503 is not
 * logged again as a server error.
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
    private readonly extra: ReadinessChecks,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
  ) {}

  /** Liveness: the process runs and its event loop answers. Never checks dependencies. */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness probe (the process is up)' })
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: MongoDB answers a ping, Kafka answers metadata, the app's consumer joined its group
   * (`kafkaConsumer`: `notifications`, or `conversations` for the messages app), and every check
   * registered in {@link ReadinessChecks} is up (notifications: the push broadcast consumer joined
   * its group).
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness probe (MongoDB, Kafka, consumer group)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult | NotReadyBody> {
    const checks: HealthIndicatorFunction[] = [
      () => this.mongo.pingCheck('mongodb', { timeout: MONGO_PROBE_TIMEOUT_MS }),
      () => this.kafka.isHealthy('kafka'),
    ];
    if (this.options.consumer) checks.push(() => this.consumer.isHealthy('kafkaConsumer'));
    checks.push(...this.extra.all());
    try {
      return await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const result = err.getResponse() as HealthCheckResult;
      void reply.status(HttpStatus.SERVICE_UNAVAILABLE).header('Retry-After', '5');
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: `not ready: ${Object.keys(result.error ?? {}).join(', ') || 'unknown'}`,
        details: result.details,
      };
    }
  }
}
