import { MicroserviceOptions } from '@nestjs/microservices';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@herald/config';
import { createHttpApp } from '@herald/http';
import { ensureTopics, kafkaServerOptions } from '@herald/kafka';
import { NotificationsAppModule } from './app.module';

/**
 * Builds the notifications app: HTTP plus the Kafka consumer (a Nest hybrid application).
 * Call `app.startAllMicroservices()` then `app.listen()`; the consumer joins group `notifications`.
 */
export async function createNotificationsApp(env: Record<string, string | undefined> = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(env);
  const app = await createHttpApp(NotificationsAppModule.forRoot(config), config);
  if (config.env.KAFKA_CREATE_TOPICS) {
    await ensureTopics(config).catch((err: Error) => console.warn(`[notifications] could not ensure topics: ${err.message}`));
  }
  app.connectMicroservice<MicroserviceOptions>(kafkaServerOptions(config));
  return app;
}
