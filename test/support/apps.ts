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

/** Starts both apps in-process (HTTP on injected requests; the Kafka consumer really joins). */
export async function startApps(extraEnv: Record<string, string> = {}): Promise<RunningApps> {
  const env = appEnv(extraEnv);
  const messages = await createMessagesApp(env);
  await messages.init();
  await messages.getHttpAdapter().getInstance().ready();
  const notifications = await createNotificationsApp(env);
  await notifications.startAllMicroservices();
  await notifications.init();
  await notifications.getHttpAdapter().getInstance().ready();
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
