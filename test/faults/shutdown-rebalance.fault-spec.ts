import { Topics } from '@herald/contracts';
import { testServers, uniqueUser } from '../support/env';
import { awaitNotifications, dropDatabase, reportFault, whenStored } from '../support/fault-metrics';
import { isolatedGroup, IsolatedGroup } from '../support/consumer-group';
import { dlqRecordsOf, Offsets, topicEnds } from '../support/kafka-probe';
import { expectedOf, makeCast, sendMessages, statusHistogram } from '../support/load';
import { AppExit, AppProcess, faultDatabaseUri, startApp, stopAllApps, withAppLogs } from '../support/processes';

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
  const uri = faultDatabaseUri(testServers().MONGODB_URI, 'shutdown_rebalance');
  let dlqFrom: Offsets;
  let group: IsolatedGroup;
  /** Tags of this file's casts: their records are handed back to group `notifications` at the end. */
  const tags: string[] = [];
  let notifications: AppProcess;
  let messages: AppProcess;

  beforeAll(async () => {
    await dropDatabase(uri);
    dlqFrom = await topicEnds(Topics.MessageCreatedDlq);
    group = await isolatedGroup('shutdown-rebalance', Topics.MessageCreated);
    notifications = await startApp('notifications', { mongoUri: uri, env: group.env });
    messages = await startApp('messages', { mongoUri: uri });
  }, 120_000);

  afterAll(async () => {
    await stopAllApps();
    await group?.release(...tags);
  }, 120_000);

  it(
    `SIGTERM mid-stream and restart: ${2 * N} notifications, none lost or duplicated`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await makeCast(uniqueUser('sigterm'));
        tags.push(cast.tag);
        const details: Record<string, number | string | boolean> = {};
        const restart = (async () => {
          details.storedAtStop = await whenStored(uri, cast.recipients, Math.round(N / 2));
          const t = Date.now();
          const exit: AppExit = await notifications.stop('SIGTERM', 30_000);
          details.shutdownS = round1(Date.now() - t);
          details.exit = exit.signal ?? `code-${exit.code}`;
          const t2 = Date.now();
          notifications = await startApp('notifications', { mongoUri: uri, env: group.env });
          details.restartS = round1(Date.now() - t2);
        })();
        restart.catch(() => undefined);
        const sent = await sendMessages(messages.url, cast, N, { concurrency: 20 });
        await restart;
        const count = await awaitNotifications(uri, expectedOf(sent), { timeoutMs: 180_000 });
        const dlq = (await dlqRecordsOf(Topics.MessageCreatedDlq, dlqFrom, cast.tag)).length;
        reportFault({
          fault: 'graceful-shutdown',
          sent: N,
          expected: 2 * N,
          ...count,
          dlq,
          seconds: (Date.now() - t0) / 1000,
          details,
        });
        expect(statusHistogram(sent)).toEqual({ 201: N });
        expect(details.exit).not.toBe('SIGKILL'); // shut down within the grace period, not killed
        expect(count).toEqual({ stored: 2 * N, delivered: 2 * N, lost: 0, duplicated: 0, unexpected: 0 });
        expect(dlq).toBe(0);
      }),
    420_000,
  );

  it(
    `a second instance joins and leaves mid-stream: ${2 * N} notifications, none lost or duplicated`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await makeCast(uniqueUser('rebalance'));
        tags.push(cast.tag);
        const details: Record<string, number | string | boolean> = {};
        const second = (async () => {
          details.storedAtJoin = await whenStored(uri, cast.recipients, Math.round((2 * N) / 4));
          const t = Date.now();
          const extra = await startApp('notifications', { mongoUri: uri, env: group.env });
          details.joinS = round1(Date.now() - t);
          details.storedAtLeave = await whenStored(uri, cast.recipients, Math.round((2 * N * 3) / 4));
          const t2 = Date.now();
          const exit = await extra.stop('SIGTERM', 30_000);
          details.leaveS = round1(Date.now() - t2);
          details.exit = exit.signal ?? `code-${exit.code}`;
        })();
        second.catch(() => undefined);
        const sent = await sendMessages(messages.url, cast, N, { concurrency: 20 });
        await second;
        const count = await awaitNotifications(uri, expectedOf(sent), { timeoutMs: 180_000 });
        const dlq = (await dlqRecordsOf(Topics.MessageCreatedDlq, dlqFrom, cast.tag)).length;
        reportFault({
          fault: 'rebalance',
          sent: N,
          expected: 2 * N,
          ...count,
          dlq,
          seconds: (Date.now() - t0) / 1000,
          details,
        });
        expect(statusHistogram(sent)).toEqual({ 201: N });
        expect(details.exit).not.toBe('SIGKILL');
        expect(count).toEqual({ stored: 2 * N, delivered: 2 * N, lost: 0, duplicated: 0, unexpected: 0 });
        expect(dlq).toBe(0);
        expect(notifications.alive()).toBe(true);
      }),
    420_000,
  );
});
