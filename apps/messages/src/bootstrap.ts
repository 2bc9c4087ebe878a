import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@herald/config';
import { ensureTopics } from '@herald/kafka';
import { createHttpApp } from '@herald/http';
import { MessagesAppModule } from './app.module';

/**
 * Builds the messages app (not yet listening). Creates missing Kafka topics first when
 * `KAFKA_CREATE_TOPICS` is on; a Kafka outage there is logged, not fatal (the outbox covers it).
 */
export async function createMessagesApp(env: Record<string, string | undefined> = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(env);
  const app = await createHttpApp(MessagesAppModule.forRoot(config), config);
  if (config.env.KAFKA_CREATE_TOPICS) {
    await ensureTopics(config).catch((err: Error) => console.warn(`[messages] could not ensure topics: ${err.message}`));
  }
  return app;
}
