import { awaitNotifications, whenStored } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { expectedOf, sendMessages, statusHistogram } from '../support/load';
import { AppProcess, startApp, withAppLogs } from '../support/processes';

/**
 * Fault 1 — the notifications consumer dies (SIGKILL: no shutdown hook, no commit) while a stream
 * of messages is flowing, and is restarted. Events it stored but had not committed are delivered
 * again; the unique (eventId, recipientId) index must absorb them: every recipient ends up with
 * exactly one notification per message.
 */
describe('fault: notifications consumer SIGKILLed mid-stream', () => {
  const N = 2000;
  const f = faultFixture('consumer-crash');
  const { uri } = f;

  it(
    `stores ${2 * N} notifications exactly once across a SIGKILL and restart`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('crash');
        let notifications: AppProcess = await startApp('notifications', { mongoUri: uri, env: f.group.env });
        const messages = await startApp('messages', { mongoUri: uri });

        let answered = 0;
        const details: Record<string, number> = {};
        const killer = (async () => {
          details.storedAtKill = await whenStored(uri, cast.recipients, Math.round((2 * N) / 3));
          details.sentAtKill = answered;
          const exit = await notifications.stop('SIGKILL');
          expect(exit.signal).toBe('SIGKILL');
          const t = Date.now();
          notifications = await startApp('notifications', { mongoUri: uri, env: f.group.env });
          details.restartS = Math.round((Date.now() - t) / 100) / 10;
        })();
        killer.catch(() => undefined); // awaited below; this only avoids an early unhandled rejection

        const sent = await sendMessages(messages.url, cast, N, { concurrency: 20, onSent: (n) => (answered = n) });
        details.streamS = Math.round((Date.now() - t0) / 100) / 10;
        await killer;
        const count = await awaitNotifications(uri, expectedOf(sent), { timeoutMs: 240_000 });
        const dlq = await f.dlqCount(cast.tag);

        f.report(t0, {
          fault: 'consumer-crash',
          sent: N,
          expected: 2 * N,
          count,
          dlq,
          details,
        });
        expect(statusHistogram(sent)).toEqual({ 201: N });
        expect(count).toEqual({ stored: 2 * N, delivered: 2 * N, lost: 0, duplicated: 0, unexpected: 0 });
        expect(dlq).toBe(0);
        expect(notifications.alive()).toBe(true);
      }),
    480_000,
  );
});
