import { Logger } from '@nestjs/common';
import { MicroserviceOptions } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, setupOpenApi } from '@herald/http';
import { ensureTopics, kafkaServerOptions } from '@herald/kafka';
import { KafkaConsumerProbe } from '@herald/observability';
import { NotificationsAppModule } from './app.module';
import { HeraldIoAdapter } from './push/socket-io.adapter';
import { loadNotificationsConfig, notificationsSettings } from './notifications.settings';

/** Title and description of the notifications app's OpenAPI document (`/docs`, docs/openapi/notifications.json). */
export const NOTIFICATIONS_OPENAPI = {
  title: 'Herald notifications API',
  description:
    'The inbox: notifications stored from Kafka topic `message.created` (consumer group `notifications`), listed, counted and marked read.',
};

/**
 * Builds the notifications app: HTTP (API, SSE, the inbox page), Socket.IO on the same server, plus
 * the Kafka consumer (a Nest hybrid application).
 * Call `app.startAllMicroservices()` then `app.listen()`; the consumer joins group
 * `KAFKA_CONSUMER_GROUP` (default `notifications`).
 */
export async function createNotificationsApp(
  env: Record<string, string | undefined> = {},
): Promise<NestFastifyApplication> {
  const config = loadNotificationsConfig(env);
  const app = await createHttpApp(NotificationsAppModule.forRoot(config), config);
  // Before init(): gateways are bound to the adapter set when the modules register.
  app.useWebSocketAdapter(new HeraldIoAdapter(app, config));
  setupOpenApi(app, NOTIFICATIONS_OPENAPI.title, NOTIFICATIONS_OPENAPI.description);
  if (config.env.KAFKA_CREATE_TOPICS) {
    await ensureTopics(config).catch((err: Error) =>
      Logger.warn(`could not ensure topics: ${err.message}`, 'Bootstrap'),
    );
  }
  const consumer = { groupId: config.settings(notificationsSettings).KAFKA_CONSUMER_GROUP, role: 'notifications' };
  app.get(KafkaConsumerProbe).watch(app.connectMicroservice<MicroserviceOptions>(kafkaServerOptions(config, consumer)));
  return app;
}
