import { Topics } from '@herald/contracts';
import { awaitNotifications, Expected, whenStored } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { testProducer } from '../support/kafka-probe';
import { messageCreatedRecord } from '../support/load';
import { startApp, withAppLogs } from '../support/processes';
import { ensureServerUp, stack } from '../support/stack';

/** How long the MongoDB-wire server stays down, in ms (longer than mongoose's 10 s buffer timeout). */
const OUTAGE_MS = 15_000;

/**
 * Fault 2 — the MongoDB-wire server goes away for 15 s while events keep arriving (produced
 * straight to Kafka, as the messages app cannot store anything meanwhile). The consumer must retry
 * in place (no DLQ, no commit, no crash), and catch up once the server is back: 0 lost,
 * 0 duplicated, and the same notifications process throughout.
 */
describe('fault: MongoDB-wire server down mid-stream', () => {
  const f = faultFixture('database-outage', { restore: ['mongo'] });
  const { uri } = f;

  it(
    'retries in place through the outage and stores every notification once',
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('dbdown');
        const notifications = await startApp('notifications', { mongoUri: uri, env: f.group.env });
        const producer = await testProducer();
        const expected: Expected[] = [];
        let produced = 0;
        const produce = async (count: number) => {
          for (let done = 0; done < count; done += 50) {
            const batch = Array.from({ length: Math.min(50, count - done) }, () =>
              messageCreatedRecord(cast, produced++),
            );
            expected.push(...batch.map((b) => b.expected));
            await producer.send({ topic: Topics.MessageCreated, acks: -1, messages: batch.map((b) => b.record) });
          }
        };
        const details: Record<string, number | string> = {};
        try {
          await produce(600);
          details.storedAtStop = await whenStored(uri, cast.recipients, 300);
          const tStop = Date.now();
          details.stop = await stack.stopMongo({ signal: 'SIGTERM' });
          await produce(600); // keeps flowing while the database is down
          await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - tStop))));
          details.outageS = Math.round((Date.now() - tStop) / 100) / 10;
          details.mongoBackS = Math.round((await ensureServerUp('mongo')) / 100) / 10;
          await produce(300);
        } finally {
          await producer.disconnect();
        }

        const count = await awaitNotifications(uri, expected, { timeoutMs: 240_000 });
        const dlq = await f.dlqCount(cast.tag);
        details.storeRetries = (notifications.logs().match(/; retry \d+ in \d+ ms/g) ?? []).length;
        details.samePid = notifications.alive() ? notifications.pid : 'exited';
        f.report(t0, {
          fault: 'database-outage',
          sent: produced,
          expected: 2 * produced,
          count,
          dlq,
          details,
        });
        expect(count).toEqual({ stored: 2 * produced, delivered: 2 * produced, lost: 0, duplicated: 0, unexpected: 0 });
        expect(dlq).toBe(0);
        expect(notifications.alive()).toBe(true); // never exited, so never restarted
      }),
    420_000,
  );
});
