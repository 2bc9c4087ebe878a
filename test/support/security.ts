import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createMessagesApp } from '../../apps/messages/src/bootstrap';
import { createNotificationsApp } from '../../apps/notifications/src/bootstrap';
import { appEnv } from './env';

export * from './jwt';

/** Both apps in-process for HTTP tests: no `notifications` consumer group is joined. */
export interface HttpApps {
  messages: NestFastifyApplication;
  notifications: NestFastifyApplication;
  close(): Promise<void>;
}

/**
 * Starts one app's HTTP side (no `startAllMicroservices`), ready for `app.inject()` (and a real
 * port when `listen`).
 */
async function ready(app: NestFastifyApplication, listen = false): Promise<NestFastifyApplication> {
  if (listen) {
    await app.listen(0, '127.0.0.1');
    return app;
  }
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * Both apps in this process with {@link appEnv} + `extra`, HTTP only: the notifications app's
 * `message.created` consumer is not started, so these tests never join (or rebalance) the shared
 * `notifications` group. `KAFKA_CREATE_TOPICS=false`: the stack already has the topics.
 * @param listenNotifications also listen on a loopback port (SSE clients; `getUrl()` gives it)
 */
export async function startHttpApps(
  extra: Record<string, string> = {},
  listenNotifications = false,
): Promise<HttpApps> {
  const env = appEnv({ KAFKA_CREATE_TOPICS: 'false', ...extra });
  const messages = await ready(await createMessagesApp(env));
  const notifications = await ready(await createNotificationsApp(env), listenNotifications).catch(
    async (err: unknown) => {
      await messages.close();
      throw err;
    },
  );
  return {
    messages,
    notifications,
    close: async () => {
      await notifications.close();
      await messages.close();
    },
  };
}
