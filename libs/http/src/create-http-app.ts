import { INestApplication, Logger, Type } from '@nestjs/common';
import { AppConfig } from '@herald/config';
import {
  HeraldMetrics,
  quietStartup,
  registerHttpMetrics,
  REQUEST_ID_HEADER,
  requestIdOf,
  startupLogger,
} from '@herald/observability';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import { HttpErrorFilter } from './http-exception.filter';
import { HostileInputPipe } from './hostile-input.pipe';
import { frameworkErrorHandler, registerHttpSecurity } from './http-security';
import { heraldValidationPipe } from './validation';

/** Largest accepted request body, in bytes (413 above it). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Longest path parameter (Fastify's default, 100, is shorter than a 128-character id); longer → 414. */
export const MAX_PARAM_LENGTH = 256;

/** API prefix of both apps. */
export const API_PREFIX = 'api/v1';

/**
 * Routes kept outside {@link API_PREFIX}: probes, the Prometheus scrape and the notifications app's
 * inbox page (Swagger is never prefixed).
 */
export const PREFIX_EXCLUDES = ['health/{*path}', 'metrics', 'inbox', 'inbox/{*path}'];

/**
 * Creates a Nest application on Fastify with Herald's HTTP conventions: `/api/v1` prefix (health,
 * metrics and docs stay outside it), 64 KiB body limit, validation pipe, error filter, shutdown hooks
 * (SIGTERM/SIGINT run `onModuleDestroy`/`onApplicationShutdown`, closing Kafka and MongoDB).
 *
 * When the module imports `ObservabilityModule`: the app logs through nestjs-pino (JSON or pretty
 * per `LOG_FORMAT`, level `LOG_LEVEL`; Nest's module and route-mapping records at `debug`), every
 * response carries `x-request-id` (the caller's when sane, else a new UUID;
 * the same id is in the request's logs), and every response is timed in
 * `herald_http_request_duration_seconds`.
 *
 * Security (see docs/security.md): helmet headers, per-area CSP, CORS allow-list
 * ({@link registerHttpSecurity}), the client IP taken from `X-Forwarded-For` only for trusted
 * proxies (`HTTP_TRUST_PROXY`), hostile keys and strings refused before validation
 * ({@link HostileInputPipe}).
 *
 * @param module the root module (already configured)
 * @param config the validated configuration (log level)
 */
export async function createHttpApp(
  module: Parameters<typeof NestFactory.create>[0],
  config: AppConfig,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: config.trustProxy,
      genReqId: requestIdOf,
      requestIdHeader: false,
      frameworkErrors: frameworkErrorHandler,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    }),
    // JSON lines from the first record (start-up problems such as MongoDB retries show at once);
    // nestjs-pino takes over as soon as the app exists.
    // bodyParser off: the JSON body parser is Herald's (UTF-8 checked, see registerUtf8JsonParser).
    { logger: startupLogger(config.env.LOG_LEVEL, config.env.LOG_FORMAT), bodyParser: false },
  );
  const pino = optional(app, PinoLogger);
  if (pino) app.useLogger(quietStartup(pino));
  await registerHttpSecurity(app, config);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  const metrics = optional(app, HeraldMetrics);
  if (metrics) registerHttpMetrics(fastify, metrics);
  applyHttpConventions(app);
  app.enableShutdownHooks();
  return app;
}

/**
 * The parts of Herald's HTTP conventions that shape routes and responses: the `/api/v1` prefix
 * (with {@link PREFIX_EXCLUDES}), the validation pipe and the error filter. Also used by
 * scripts/export-openapi.ts on apps built in preview mode, so the exported paths are the served ones.
 */
export function applyHttpConventions(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: PREFIX_EXCLUDES });
  app.useGlobalPipes(new HostileInputPipe(), heraldValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
}

/** What an app reads from and writes to Kafka, for its start-up summary (see {@link listen}). */
export interface KafkaFlows {
  /** `topic (group)` entries this app consumes, e.g. `message.created (group notifications)`. */
  consumes: string[];
  /** Topics this app produces to. */
  produces: string[];
}

/** `uri` without its `user:password@` part (MongoDB connection strings may carry credentials). */
export function withoutCredentials(uri: string): string {
  return uri.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}

/**
 * Listens on `host:port` and logs one start-up summary record (context `Bootstrap`): the API and
 * Swagger URLs, the Kafka brokers, the MongoDB server (credentials left out), the topics consumed
 * (with their consumer group) and produced. It replaces Nest's module and route-mapping records,
 * which go to `debug`.
 */
export async function listen(
  app: INestApplication,
  name: string,
  host: string,
  port: number,
  flows?: KafkaFlows,
): Promise<void> {
  await app.listen(port, host);
  const url = await app.getUrl();
  const config = app.get(AppConfig, { strict: false });
  const parts = [
    `${name} ready: ${url}/${API_PREFIX} (Swagger ${url}/docs)`,
    `Kafka ${config.kafkaBrokers.join(',')}`,
    `MongoDB ${withoutCredentials(config.env.MONGODB_URI)}`,
    ...(flows ? [`consumes ${flows.consumes.join(', ')}`, `produces ${flows.produces.join(', ')}`] : []),
  ];
  Logger.log(parts.join(' · '), 'Bootstrap');
}

/** The app's instance of `token`, or undefined when no module provides it. */
function optional<T>(app: INestApplication, token: Type<T>): T | undefined {
  try {
    return app.get(token, { strict: false });
  } catch {
    return undefined;
  }
}
