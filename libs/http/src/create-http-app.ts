import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { AppConfig } from '@herald/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpErrorFilter } from './http-exception.filter';
import { heraldValidationPipe } from './validation';

/** Largest accepted request body, in bytes (413 above it). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** API prefix of both apps. */
export const API_PREFIX = 'api/v1';

/**
 * Creates a Nest application on Fastify with Herald's HTTP conventions: `/api/v1` prefix (health
 * and docs stay outside it), 64 KiB body limit, validation pipe, error filter, shutdown hooks
 * (SIGTERM/SIGINT run `onModuleDestroy`/`onApplicationShutdown`, closing Kafka and MongoDB).
 *
 * @param module the root module (already configured)
 * @param config the validated configuration (log level)
 */
export async function createHttpApp(module: Parameters<typeof NestFactory.create>[0], config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: true }),
    { logger: nestLogLevels(config.env.LOG_LEVEL) },
  );
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/{*path}', 'metrics'] });
  app.useGlobalPipes(heraldValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  app.enableShutdownHooks();
  return app;
}

/** Listens on `host:port` and logs the URL. */
export async function listen(app: INestApplication, name: string, host: string, port: number): Promise<void> {
  await app.listen(port, host);
  Logger.log(`${name} listening on ${await app.getUrl()}/${API_PREFIX}`, 'Bootstrap');
}

/** Nest log levels at and above a pino-style `LOG_LEVEL`. */
export function nestLogLevels(level: string): LogLevel[] {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const cut = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5, silent: -1 }[level] ?? 3;
  return order.slice(0, cut + 1);
}
