import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TokenService } from '@herald/auth';
import { createMessagesApp } from '../../apps/messages/src/bootstrap';
import { createNotificationsApp } from '../../apps/notifications/src/bootstrap';
import { appEnv } from './env';

/** Both apps running in this process against the test servers, ready for supertest. */
export interface RunningApps {
  messages: NestFastifyApplication;
  notifications: NestFastifyApplication;
  /** Issues a token for a user id (same secret as the apps). */
  token(userId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts a notifications app in-process: the Kafka consumer really joins group `notifications`.
 * @param listen also listen on a loopback port (for SSE, socket and browser clients): `true` for one
 *   the OS picks, or the port number; `app.getUrl()` gives it
 */
export async function startNotifications(
  extraEnv: Record<string, string> = {},
  listen: boolean | number = false,
): Promise<NestFastifyApplication> {
  const app = await createNotificationsApp(appEnv(extraEnv));
  await app.startAllMicroservices();
  if (listen !== false) {
    await app.listen(listen === true ? 0 : listen, '127.0.0.1');
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  return app;
}

/**
 * Starts both apps in-process (HTTP on injected requests; both Kafka consumers, `conversations` and
 * `notifications`, really join).
 */
export async function startApps(extraEnv: Record<string, string> = {}, listen = false): Promise<RunningApps> {
  const messages = await createMessagesApp(appEnv(extraEnv));
  await messages.startAllMicroservices();
  await messages.init();
  await messages.getHttpAdapter().getInstance().ready();
  const notifications = await startNotifications(extraEnv, listen);
  const tokens = messages.get(TokenService);
  return {
    messages,
    notifications,
    token: (userId) => tokens.issue(userId),
    close: async () => {
      await notifications.close();
      await messages.close();
    },
  };
}
