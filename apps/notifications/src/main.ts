import 'reflect-metadata';
import { AppConfig } from '@herald/config';
import { Topics } from '@herald/contracts';
import { listen } from '@herald/http';
import { createNotificationsApp } from './bootstrap';
import { notificationsSettings } from './notifications.settings';

async function main(): Promise<void> {
  const app = await createNotificationsApp();
  const config = app.get(AppConfig);
  const settings = config.settings(notificationsSettings);
  await app.startAllMicroservices();
  await listen(app, 'notifications', config.env.HTTP_HOST, settings.NOTIFICATIONS_PORT, {
    consumes: [
      `${Topics.MessageCreated} (group ${settings.KAFKA_CONSUMER_GROUP})`,
      `${Topics.NotificationCreated}, ${Topics.InboxChanged} (one broadcast group per instance)`,
    ],
    produces: [Topics.NotificationCreated, Topics.InboxChanged, Topics.MessageCreatedDlq],
  });
}

main().catch((err: unknown) => {
  console.error('[notifications] failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
