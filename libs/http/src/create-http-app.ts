import { INestApplication, Logger } from '@nestjs/common';
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
 */
export async function createHttpApp(module: Parameters<typeof NestFactory.create>[0]): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: true }),
    { bufferLogs: false, logger: ['error', 'warn', 'log'] },
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
