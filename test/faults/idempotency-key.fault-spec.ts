import { awaitNotifications } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { HttpAnswer, httpRequest } from '../support/http';
import { startApp, withAppLogs } from '../support/processes';

/**
 * Fault 6 — a client retrying aggressively: for each of 10 Idempotency-Keys, 50 identical POSTs
 * at the same moment. Exactly one message per key must be stored, one event per key published, one
 * notification per recipient stored; every retry answers 201 with the same message id.
 */
describe('fault: concurrent retries with the same Idempotency-Key', () => {
  const KEYS = 10;
  const PARALLEL = 50;
  const f = faultFixture('idempotency-key');
  const { uri } = f;

  it(
    `stores one message, one event and one notification per recipient for ${KEYS} keys × ${PARALLEL} parallel retries`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('idem', KEYS);
        await startApp('notifications', { mongoUri: uri, env: f.group.env });
        const messages = await startApp('messages', { mongoUri: uri });

        const statuses: Record<string, number> = {};
        const idsPerKey: string[][] = [];
        let replayed = 0;
        for (let k = 0; k < KEYS; k++) {
          const key = `${cast.tag}-key-${k}`;
          const answers = await Promise.all(
            Array.from({ length: PARALLEL }, () =>
              httpRequest('POST', `${messages.url}/api/v1/messages`, {
                headers: { authorization: `Bearer ${cast.tokens[k]}`, 'idempotency-key': key },
                body: { recipientIds: cast.recipientsOf[k], body: `${cast.tag} once ${k}` },
              }).catch((err: Error): HttpAnswer => ({ status: 0, json: undefined, headers: {}, text: err.message })),
            ),
          );
          for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
          replayed += answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length;
          idsPerKey.push([
            ...new Set(answers.filter((a) => a.status === 201).map((a) => (a.json as { id: string }).id)),
          ]);
        }

        const expected = await f.storedMessages(cast.senders);
        const count = await awaitNotifications(uri, expected, { timeoutMs: 120_000, settleMs: 5000 });
        const ids = new Set(expected.map((e) => e.messageId));
        const events = (await f.eventMessageIds(cast.tag)).filter((id) => ids.has(id));
        const dlq = await f.dlqCount(cast.tag);

        f.report(t0, {
          fault: 'idempotency-key',
          sent: KEYS * PARALLEL,
          expected: KEYS * 2,
          count,
          dlq,
          details: {
            keys: KEYS,
            messages: expected.length,
            events: events.length,
            replayed,
            statuses: JSON.stringify(statuses).replace(/"/g, ''),
          },
        });
        expect(statuses).toEqual({ 201: KEYS * PARALLEL });
        expect(idsPerKey.map((ids) => ids.length)).toEqual(Array(KEYS).fill(1)); // every answer of a key: one id
        expect(replayed).toBe(KEYS * (PARALLEL - 1));
        expect(expected).toHaveLength(KEYS);
        expect(events.sort()).toEqual([...ids].sort()); // one event per key
        expect(count).toEqual({ stored: 2 * KEYS, delivered: 2 * KEYS, lost: 0, duplicated: 0, unexpected: 0 });
        expect(dlq).toBe(0);
      }),
    300_000,
  );
});
