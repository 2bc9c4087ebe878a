import { awaitNotifications, whenStored } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { Cast, expectedOf, sendMessages, statusHistogram } from '../support/load';
import { AppExit, AppProcess, startApp, withAppLogs } from '../support/processes';

const round1 = (ms: number) => Math.round(ms / 100) / 10;

/**
 * Graceful shutdown and rebalancing while a stream of messages flows:
 * - SIGTERM the notifications app mid-stream (it finishes the record in hand, commits, leaves the
 *   group) and start it again;
 * - start a second instance mid-stream (the group rebalances to two members), then SIGTERM it
 *   (rebalances back to one).
 * Either way: 0 lost, 0 duplicated.
 */
describe('fault: graceful shutdown and rebalance mid-stream', () => {
  const N = 1000;
  const f = faultFixture('shutdown-rebalance');
  const { uri } = f;
  let notifications: AppProcess;
  let messages: AppProcess;

  /**
   * Streams N messages while `change` (the shutdown or rebalance) happens, then reports and checks:
   * every POST answered 201, the changed instance not SIGKILLed (`details.exit`: it shut down within
   * its grace period), every notification stored once, nothing dead-lettered.
   */
  async function streamThrough(
    fault: string,
    t0: number,
    cast: Cast,
    change: Promise<void>,
    details: Record<string, number | string | boolean>,
  ): Promise<void> {
    change.catch(() => undefined); // awaited below; this only avoids an early unhandled rejection
    const sent = await sendMessages(messages.url, cast, N, { concurrency: 20 });
    await change;
    const count = await awaitNotifications(uri, expectedOf(sent), { timeoutMs: 180_000 });
    const dlq = await f.dlqCount(cast.tag);
    f.report(t0, { fault, sent: N, expected: 2 * N, count, dlq, details });
    expect(statusHistogram(sent)).toEqual({ 201: N });
    expect(details.exit).not.toBe('SIGKILL'); // shut down within the grace period, not killed
    expect(count).toEqual({ stored: 2 * N, delivered: 2 * N, lost: 0, duplicated: 0, unexpected: 0 });
    expect(dlq).toBe(0);
  }

  beforeAll(async () => {
    notifications = await startApp('notifications', { mongoUri: uri, env: f.group.env });
    messages = await startApp('messages', { mongoUri: uri });
  }, 120_000);

  it(
    `SIGTERM mid-stream and restart: ${2 * N} notifications, none lost or duplicated`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('sigterm');
        const details: Record<string, number | string | boolean> = {};
        const restart = (async () => {
          details.storedAtStop = await whenStored(uri, cast.recipients, Math.round(N / 2));
          const t = Date.now();
          const exit: AppExit = await notifications.stop('SIGTERM', 30_000);
          details.shutdownS = round1(Date.now() - t);
          details.exit = exit.signal ?? `code-${exit.code}`;
          const t2 = Date.now();
          notifications = await startApp('notifications', { mongoUri: uri, env: f.group.env });
          details.restartS = round1(Date.now() - t2);
        })();
        await streamThrough('graceful-shutdown', t0, cast, restart, details);
      }),
    420_000,
  );

  it(
    `a second instance joins and leaves mid-stream: ${2 * N} notifications, none lost or duplicated`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('rebalance');
        const details: Record<string, number | string | boolean> = {};
        const second = (async () => {
          details.storedAtJoin = await whenStored(uri, cast.recipients, Math.round((2 * N) / 4));
          const t = Date.now();
          const extra = await startApp('notifications', { mongoUri: uri, env: f.group.env });
          details.joinS = round1(Date.now() - t);
          details.storedAtLeave = await whenStored(uri, cast.recipients, Math.round((2 * N * 3) / 4));
          const t2 = Date.now();
          const exit = await extra.stop('SIGTERM', 30_000);
          details.leaveS = round1(Date.now() - t2);
          details.exit = exit.signal ?? `code-${exit.code}`;
        })();
        await streamThrough('rebalance', t0, cast, second, details);
        expect(notifications.alive()).toBe(true);
      }),
    420_000,
  );
});
