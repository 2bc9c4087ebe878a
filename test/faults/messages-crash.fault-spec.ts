import { awaitNotifications, Expected } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { boundedAll, httpRequest } from '../support/http';
import { sendMessages, Sent } from '../support/load';
import { AppProcess, startApp, withAppLogs } from '../support/processes';
import { waitFor } from '../support/wait';

/**
 * Fault 10 — the messages app is SIGKILLed while group commits are in flight: 50 clients post with
 * an `Idempotency-Key` each; after a third of the answers the process dies (no shutdown hook, no
 * flush), at whatever step each group was (outbox entry written, messages stored, events sent,
 * entry deleted). A new process starts; the clients retry every request that got no 201 with its
 * key. Every message answered 201 must then have exactly one stored message and one notification
 * per recipient, no message may exist that no client was answered for, and the outbox must drain
 * (the relay completes what the dead process left).
 */
describe('fault: messages app SIGKILLed with group commits in flight', () => {
  const N = 1500;
  const CLIENTS = 50;
  const f = faultFixture('messages-crash');
  const { uri } = f;

  it(
    `ends with one message, one event's notifications and an empty outbox for each of ${N} keyed POSTs across a SIGKILL`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('mcrash', 30);
        const keyOf = (i: number): string => `${cast.tag}-k${i}`;
        await startApp('notifications', { mongoUri: uri, env: f.group.env });
        let messages: AppProcess = await startApp('messages', { mongoUri: uri });

        const details: Record<string, number | string> = {};
        let answered = 0;
        const killed = (async () => {
          await waitFor(
            async () => answered,
            (n) => n >= N / 3,
            { timeoutMs: 120_000, intervalMs: 5, what: 'a third of the answers' },
          );
          details.answeredAtKill = answered;
          const exit = await messages.stop('SIGKILL');
          expect(exit.signal).toBe('SIGKILL');
        })();
        killed.catch(() => undefined); // awaited below
        const first = await sendMessages(messages.url, cast, N, {
          concurrency: CLIENTS,
          headers: (i) => ({ 'idempotency-key': keyOf(i) }),
          onSent: (n) => (answered = n),
        });
        await killed;
        const unanswered = first.filter((s) => s.status !== 201);
        details.firstPass201 = N - unanswered.length;
        details.unanswered = unanswered.length;
        expect(unanswered.length).toBeGreaterThan(0); // the kill did cut requests off

        messages = await startApp('messages', { mongoUri: uri });
        const retried = await boundedAll(
          unanswered.length,
          CLIENTS,
          async (j): Promise<Sent & { replayed: boolean }> => {
            const s = unanswered[j];
            const k = s.index % cast.senders.length;
            const res = await httpRequest('POST', `${messages.url}/api/v1/messages`, {
              headers: { authorization: `Bearer ${cast.tokens[k]}`, 'idempotency-key': keyOf(s.index) },
              body: { recipientIds: cast.recipientsOf[k], body: `${cast.tag} message ${s.index}` },
            });
            const messageId = res.status === 201 ? (res.json as { id: string }).id : undefined;
            return {
              ...s,
              status: res.status,
              messageId,
              error: messageId ? undefined : res.text.slice(0, 300),
              replayed: res.headers['idempotent-replayed'] === 'true',
            };
          },
        );
        details.retriedReplayed = retried.filter((r) => r.replayed).length;
        const all = [...first.filter((s) => s.status === 201), ...retried];
        const statuses: Record<string, number> = {};
        for (const s of all) statuses[s.status] = (statuses[s.status] ?? 0) + 1;

        const expected: Expected[] = all
          .filter((s) => s.messageId)
          .map((s) => ({ messageId: s.messageId!, recipients: s.recipients }));
        const count = await awaitNotifications(uri, expected, { timeoutMs: 240_000 });
        const outboxLeft = await f.outboxDrained(500, 'the relay to drain the outbox');
        const storedIds = (await f.storedMessages(cast.senders)).map((m) => m.messageId).sort();
        const answeredIds = [...new Set(expected.map((e) => e.messageId))].sort();
        const events = await f.eventMessageIds(cast.tag);
        const eventIds = new Set(events);
        details.events = events.length;
        details.duplicateEvents = events.length - eventIds.size;
        const dlq = await f.dlqCount(cast.tag);

        f.report(t0, {
          fault: 'messages-crash',
          sent: N,
          expected: 2 * N,
          count,
          dlq,
          details,
        });
        expect(statuses).toEqual({ 201: N }); // every request answered 201, first time or on retry
        expect(answeredIds).toHaveLength(N); // one message per key
        expect(storedIds).toEqual(answeredIds); // nothing stored that no client was answered for
        expect([...eventIds].sort()).toEqual(answeredIds); // every message has its event, no stray event
        expect(count).toEqual({ stored: 2 * N, delivered: 2 * N, lost: 0, duplicated: 0, unexpected: 0 });
        expect(outboxLeft).toBe(0);
        expect(dlq).toBe(0);
      }),
    480_000,
  );
});
