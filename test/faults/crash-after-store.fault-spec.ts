import { awaitNotifications, Expected, withMongo } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { httpRequest } from '../support/http';
import { startApp, withAppLogs } from '../support/processes';
import { waitFor } from '../support/wait';

/**
 * Fault 4 — the messages app dies between storing a message and publishing its event (injected
 * from the test side: test/support/preload/crash-before-publish.js makes the process SIGKILL itself
 * at its first produce call, after the insert). The client sees the connection
 * drop; the message is durable and `pending`. Restarted without the hook, the outbox relay
 * publishes it: each recipient gets exactly one notification, and the topic carries one event.
 */
describe('fault: messages app killed after storing, before publishing', () => {
  const CRASHES = 3;
  const f = faultFixture('crash-after-store');
  const { uri } = f;

  it(
    `publishes each of ${CRASHES} crash-orphaned messages once after a restart`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('orphan', CRASHES);
        await startApp('notifications', { mongoUri: uri, env: f.group.env });

        const crashes: string[] = [];
        for (let k = 0; k < CRASHES; k++) {
          const doomed = await startApp('messages', {
            mongoUri: uri,
            preload: ['test/support/preload/crash-before-publish.js'],
          });
          const answer = await httpRequest('POST', `${doomed.url}/api/v1/messages`, {
            headers: { authorization: `Bearer ${cast.tokens[k]}` },
            body: { recipientIds: cast.recipientsOf[k], body: `${cast.tag} orphan ${k}` },
          }).then(
            (r) => `HTTP ${r.status}`,
            (err: Error) => err.message,
          );
          const exit = await doomed.exited;
          expect(exit.signal).toBe('SIGKILL'); // the hook fired: no answer, no publish
          crashes.push(answer);
        }

        // Durable and unpublished: one stored message per crash, each still in an outbox entry.
        const expected: Expected[] = await f.storedMessages(cast.senders);
        expect(expected).toHaveLength(CRASHES);
        const pendingIds = async (): Promise<Set<string>> => {
          const mine = new Set(expected.map((e) => e.messageId));
          const entries = await withMongo(uri, (db) =>
            db
              .collection('outbox')
              .find({}, { projection: { messageIds: 1 } })
              .toArray(),
          );
          return new Set(
            entries
              .flatMap((e) => (e.messageIds as Array<{ toHexString(): string }>).map((id) => id.toHexString()))
              .filter((id) => mine.has(id)),
          );
        };
        expect((await pendingIds()).size).toBe(CRASHES);

        const tRestart = Date.now();
        const messages = await startApp('messages', { mongoUri: uri });
        await waitFor(
          () => pendingIds().then((ids) => ids.size),
          (n) => n === 0,
          { timeoutMs: 60_000, what: 'the relay to publish the orphaned messages' },
        );
        const relayS = (Date.now() - tRestart) / 1000;
        const count = await awaitNotifications(uri, expected, { timeoutMs: 60_000, settleMs: 5000 });
        const ids = new Set(expected.map((e) => e.messageId));
        const events = (await f.eventMessageIds(cast.tag)).filter((id) => ids.has(id));
        const dlq = await f.dlqCount(cast.tag);

        f.report(t0, {
          fault: 'crash-after-store',
          sent: CRASHES,
          expected: expected.length * 2,
          count,
          dlq,
          details: {
            clientSaw: crashes[0].replace(/\s+/g, '_'),
            events: events.length,
            relayS: Math.round(relayS * 10) / 10,
          },
        });
        expect(crashes.every((c) => !c.startsWith('HTTP'))).toBe(true); // the connection dropped
        expect(count).toEqual({ stored: 2 * CRASHES, delivered: 2 * CRASHES, lost: 0, duplicated: 0, unexpected: 0 });
        expect(events.sort()).toEqual([...ids].sort()); // exactly one event per message
        expect(dlq).toBe(0);
        expect(messages.alive()).toBe(true);
      }),
    300_000,
  );
});
