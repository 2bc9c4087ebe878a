/**
 * Writes the OpenAPI documents of both apps to docs/openapi/<app>.json, or checks they are current.
 *
 *   npm run openapi:export          # regenerate docs/openapi/*.json
 *   npm run openapi:check           # exit 1 when a committed document differs from the code
 *
 * Each app is built in Nest's preview mode: the module graph and routes are scanned, but no provider
 * is instantiated, so neither Kafka nor MongoDB is needed and nothing listens.
 */
import 'reflect-metadata';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { applyHttpConventions, buildOpenApiDocument, serializeOpenApi } from '@herald/http';
import { MessagesAppModule } from '../apps/messages/src/app.module';
import { MESSAGES_OPENAPI } from '../apps/messages/src/bootstrap';
import { loadMessagesConfig } from '../apps/messages/src/messages.settings';
import { NotificationsAppModule } from '../apps/notifications/src/app.module';
import { NOTIFICATIONS_OPENAPI } from '../apps/notifications/src/bootstrap';
import { loadNotificationsConfig } from '../apps/notifications/src/notifications.settings';

const ROOT = resolve(__dirname, '..');
const OUT_DIR = join(ROOT, 'docs', 'openapi');

interface AppDoc {
  file: string;
  module: DynamicModule;
  info: { title: string; description: string };
}

/** Serialized OpenAPI document of one app, built without listening or connecting. */
async function render(app: AppDoc): Promise<string> {
  const nest = await NestFactory.create<NestFastifyApplication>(app.module, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  applyHttpConventions(nest);
  const text = serializeOpenApi(buildOpenApiDocument(nest, app.info.title, app.info.description));
  await nest.close();
  return text;
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  // Defaults only: no variable of the caller's environment may change the documents.
  const env = { NODE_ENV: 'development', KAFKA_CREATE_TOPICS: 'false' };
  const apps: AppDoc[] = [
    { file: 'messages.json', module: MessagesAppModule.forRoot(loadMessagesConfig(env)), info: MESSAGES_OPENAPI },
    {
      file: 'notifications.json',
      module: NotificationsAppModule.forRoot(loadNotificationsConfig(env)),
      info: NOTIFICATIONS_OPENAPI,
    },
  ];
  const outDir = check ? mkdtempSync(join(tmpdir(), 'herald-openapi-')) : OUT_DIR;
  mkdirSync(outDir, { recursive: true });
  const stale: string[] = [];
  try {
    for (const app of apps) {
      const text = await render(app);
      writeFileSync(join(outDir, app.file), text);
      const committed = join(OUT_DIR, app.file);
      if (check) {
        if (!existsSync(committed) || readFileSync(committed, 'utf8') !== text) stale.push(relative(ROOT, committed));
      } else {
        console.log(
          `openapi: wrote ${relative(ROOT, committed)} (${Object.keys(JSON.parse(text).paths).length} paths)`,
        );
      }
    }
  } finally {
    if (check) rmSync(outDir, { recursive: true, force: true });
  }
  if (stale.length > 0) {
    console.error(
      `openapi: stale ${stale.join(', ')}: the code's routes or DTOs changed. Run \`npm run openapi:export\` and commit the result.`,
    );
    return 1;
  }
  if (check) console.log(`openapi: ${apps.length} documents up to date`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('openapi: export failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
