import 'reflect-metadata';
import { AppConfig } from '@herald/config';
import { Topics } from '@herald/contracts';
import { listen } from '@herald/http';
import { createMessagesApp } from './bootstrap';
import { messagesSettings } from './messages.settings';

async function main(): Promise<void> {
  const app = await createMessagesApp();
  const config = app.get(AppConfig);
  const settings = config.settings(messagesSettings);
  await app.startAllMicroservices();
  await listen(app, 'messages', config.env.HTTP_HOST, settings.MESSAGES_PORT, {
    consumes: [`${Topics.MessageCreated} (group ${settings.KAFKA_CONVERSATIONS_GROUP})`],
    produces: [Topics.MessageCreated, Topics.MessageCreatedDlq],
  });
}

main().catch((err: unknown) => {
  console.error('[messages] failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
