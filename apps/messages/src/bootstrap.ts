import { Logger } from '@nestjs/common';
import { MicroserviceOptions } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ensureTopics, kafkaServerOptions } from '@herald/kafka';
import { createHttpApp, setupOpenApi } from '@herald/http';
import { KafkaConsumerProbe } from '@herald/observability';
import { MessagesAppModule } from './app.module';
import { loadMessagesConfig, messagesSettings } from './messages.settings';

/** Title and description of the messages app's OpenAPI document (`/docs`, docs/openapi/messages.json). */
export const MESSAGES_OPENAPI = {
  title: 'Herald messages API',
  description: 'Send messages (stored in MongoDB, published to Kafka topic `message.created`) and read them back.',
};

/**
 * Builds the messages app (not yet listening): HTTP plus the conversation projection's Kafka
 * consumer (a Nest hybrid application, like the notifications app). Call
 * `app.startAllMicroservices()` then `app.listen()`; the consumer joins group
 * `KAFKA_CONVERSATIONS_GROUP` (default `conversations`) and `GET /health/ready` waits for that
 * (`kafkaConsumer`). Creates missing Kafka topics first when `KAFKA_CREATE_TOPICS` is on; a Kafka
 * outage there is logged, not fatal (the outbox covers it).
 */
export async function createMessagesApp(env: Record<string, string | undefined> = {}): Promise<NestFastifyApplication> {
  const config = loadMessagesConfig(env);
  const settings = config.settings(messagesSettings);
  const app = await createHttpApp(MessagesAppModule.forRoot(config), config);
  setupOpenApi(app, MESSAGES_OPENAPI.title, MESSAGES_OPENAPI.description);
  if (config.env.KAFKA_CREATE_TOPICS) {
    await ensureTopics(config).catch((err: Error) =>
      Logger.warn(`could not ensure topics: ${err.message}`, 'Bootstrap'),
    );
  }
  const projection = kafkaServerOptions(config, {
    groupId: settings.KAFKA_CONVERSATIONS_GROUP,
    role: 'conversations',
    fetchLingerMs: settings.CONVERSATIONS_FETCH_LINGER_MS,
  });
  app.get(KafkaConsumerProbe).watch(app.connectMicroservice<MicroserviceOptions>(projection));
  return app;
}
