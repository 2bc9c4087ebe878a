import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@herald/config';
import { ensureTopics } from '@herald/kafka';
import { createHttpApp, setupOpenApi } from '@herald/http';
import { MessagesAppModule } from './app.module';

/** Title and description of the messages app's OpenAPI document (`/docs`, docs/openapi/messages.json). */
export const MESSAGES_OPENAPI = {
  title: 'Herald messages API',
  description: 'Send messages (stored in MongoDB, published to Kafka topic `message.created`) and read them back.',
};

/**
 * Builds the messages app (not yet listening). Creates missing Kafka topics first when
 * `KAFKA_CREATE_TOPICS` is on; a Kafka outage there is logged, not fatal (the outbox covers it).
 */
export async function createMessagesApp(env: Record<string, string | undefined> = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(env);
  const app = await createHttpApp(MessagesAppModule.forRoot(config), config);
  setupOpenApi(app, MESSAGES_OPENAPI.title, MESSAGES_OPENAPI.description);
  if (config.env.KAFKA_CREATE_TOPICS) {
    await ensureTopics(config).catch((err: Error) => console.warn(`[messages] could not ensure topics: ${err.message}`));
  }
  return app;
}
