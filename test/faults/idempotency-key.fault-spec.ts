import { Topics } from '@herald/contracts';
import { testServers, uniqueUser } from '../support/env';
import { awaitNotifications, dropDatabase, Expected, reportFault, withMongo } from '../support/fault-metrics';
import { HttpAnswer, httpRequest } from '../support/http';
import { isolatedGroup, IsolatedGroup } from '../support/consumer-group';
import { dlqRecordsOf, Offsets, scanTopic, topicEnds } from '../support/kafka-probe';
import { makeCast } from '../support/load';
import { faultDatabaseUri, startApp, stopAllApps, withAppLogs } from '../support/processes';

/**
 * Fault 6 — a client retrying aggressively: for each of 10 Idempotency-Keys, 50 identical POSTs
 * at the same moment. Exactly one message per key must be stored, one event per key published, one
 * notification per recipient stored; every retry answers 201 with the same message id.
 */
describe('fault: concurrent retries with the same Idempotency-Key', () => {
  const KEYS = 10;
  const PARALLEL = 50;
  const uri = faultDatabaseUri(testServers().MONGODB_URI, 'idempotency_key');
  let dlqFrom: Offsets;
  let topicFrom: Offsets;
  let group: IsolatedGroup;
  /** Tags of this file's casts: their records are handed back to group `notifications` at the end. */
  const tags: string[] = [];

  beforeAll(async () => {
    await dropDatabase(uri);
    dlqFrom = await topicEnds(Topics.MessageCreatedDlq);
    topicFrom = await topicEnds(Topics.MessageCreated);
    group = await isolatedGroup('idempotency-key', Topics.MessageCreated);
  }, 60_000);

  afterAll(async () => {
    await stopAllApps();
    await group?.release(...tags);
  }, 120_000);

  it(
    `stores one message, one event and one notification per recipient for ${KEYS} keys × ${PARALLEL} parallel retries`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await makeCast(uniqueUser('idem'), KEYS);
        tags.push(cast.tag);
        await startApp('notifications', { mongoUri: uri, env: group.env });
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

        const stored = await withMongo(uri, (db) =>
          db
            .collection('messages')
            .find({ senderId: { $in: cast.senders } }, { projection: { senderId: 1, recipientIds: 1 } })
            .toArray(),
        );
        const expected: Expected[] = stored.map((m) => ({
          messageId: m._id.toHexString(),
          recipients: m.recipientIds as string[],
        }));
        const count = await awaitNotifications(uri, expected, { timeoutMs: 120_000, settleMs: 5000 });
        const ids = new Set(expected.map((e) => e.messageId));
        const events = (
          await scanTopic(Topics.MessageCreated, topicFrom, (r) => r.value !== null && r.value.includes(cast.tag))
        )
          .map((r) => (JSON.parse(r.value!.toString()) as { data: { messageId: string } }).data.messageId)
          .filter((id) => ids.has(id));
        const dlq = (await dlqRecordsOf(Topics.MessageCreatedDlq, dlqFrom, cast.tag)).length;

        reportFault({
          fault: 'idempotency-key',
          sent: KEYS * PARALLEL,
          expected: KEYS * 2,
          stored: count.stored,
          lost: count.lost,
          duplicated: count.duplicated,
          dlq,
          seconds: (Date.now() - t0) / 1000,
          details: {
            keys: KEYS,
            messages: stored.length,
            events: events.length,
            replayed,
            statuses: JSON.stringify(statuses).replace(/"/g, ''),
          },
        });
        expect(statuses).toEqual({ 201: KEYS * PARALLEL });
        expect(idsPerKey.map((ids) => ids.length)).toEqual(Array(KEYS).fill(1)); // every answer of a key: one id
        expect(replayed).toBe(KEYS * (PARALLEL - 1));
        expect(stored).toHaveLength(KEYS);
        expect(events.sort()).toEqual([...ids].sort()); // one event per key
        expect(count).toEqual({ stored: 2 * KEYS, delivered: 2 * KEYS, lost: 0, duplicated: 0, unexpected: 0 });
        expect(dlq).toBe(0);
      }),
    300_000,
  );
});
