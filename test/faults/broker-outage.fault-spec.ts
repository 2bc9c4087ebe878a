import { awaitNotifications } from '../support/fault-metrics';
import { faultFixture } from '../support/fault-fixture';
import { expectedOf, sendMessages, statusHistogram } from '../support/load';
import { startApp, withAppLogs } from '../support/processes';
import { ensureServerUp, stack } from '../support/stack';

/**
 * Fault 3 — Kafka goes down (SIGTERM) in the middle of a stream of messages, with publishes in
 * flight, and stays down while 500+ more are sent. Every POST must still answer 201 (the message is
 * durable in MongoDB; the request waits at most PUBLISH_TIMEOUT_MS for Kafka), and once Kafka is
 * back the outbox relay (and the sends still in flight) publish every event: all notifications
 * stored, none lost, none duplicated. Duplicate *events* on the topic are allowed (at-least-once
 * publishing) and measured; the consumer's unique index absorbs them.
 */
describe('fault: Kafka down while messages are accepted', () => {
  /** Messages sent in all; Kafka is stopped once BEFORE have been answered (≥ 500 sent while down). */
  const N = 600;
  const BEFORE = 50;
  const f = faultFixture('broker-outage', { restore: ['kafka'], teardownTimeoutMs: 180_000 });
  const { uri } = f;

  it(
    `accepts ${N} messages with Kafka down and delivers each exactly once after it is back`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const cast = await f.cast('kafkadown');
        const notifications = await startApp('notifications', { mongoUri: uri, env: f.group.env });
        const messages = await startApp('messages', { mongoUri: uri, env: { PUBLISH_TIMEOUT_MS: '200' } });
        // Warm-up: the producer is connected before the outage, as in a running system.
        const warm = await sendMessages(messages.url, cast, 1, { offset: N });
        expect(warm[0].status).toBe(201);

        // Kafka is stopped while the stream is flowing (sends in flight), after BEFORE answers.
        const details: Record<string, number | string> = {};
        let answered = 0;
        let tStop = 0;
        let triggerStop: () => void = () => undefined;
        const stopped = new Promise<void>((r) => (triggerStop = r)).then(async () => {
          tStop = Date.now();
          details.stop = await stack.stopKafka({ signal: 'SIGTERM' });
          details.stopS = Math.round((Date.now() - tStop) / 100) / 10;
          details.answeredBeforeDown = answered;
        });
        // Requests past the ones in flight when the stop begins wait until Kafka is down (a fast app
        // would otherwise answer many more during the broker's few seconds of controlled shutdown).
        const sent = await sendMessages(messages.url, cast, N, {
          concurrency: 20,
          gate: (j) => (j >= BEFORE + 20 ? stopped : undefined),
          onSent: (n) => {
            answered = n;
            if (n === BEFORE) triggerStop();
          },
        });
        await stopped;
        details.sentWhileDown = N - Number(details.answeredBeforeDown);
        details.kafkaBackS = Math.round((await ensureServerUp('kafka')) / 100) / 10;
        details.outageS = Math.round((Date.now() - tStop) / 100) / 10;

        const all = [...warm, ...sent];
        const count = await awaitNotifications(uri, expectedOf(all), { timeoutMs: 240_000 });
        const ids = new Set(expectedOf(all).map((e) => e.messageId));
        const pending = await f.outboxDrained(1000, 'an empty outbox (no pending event)');
        const eventIds = (await f.eventMessageIds(cast.tag)).filter((id) => ids.has(id));
        details.events = eventIds.length;
        details.duplicateEvents = eventIds.length - new Set(eventIds).size;
        details.pendingAfter = pending;
        const dlq = await f.dlqCount(cast.tag);

        f.report(t0, {
          fault: 'broker-outage',
          sent: N,
          expected: 2 * all.length,
          count,
          dlq,
          details,
        });
        expect(statusHistogram(sent)).toEqual({ 201: N });
        expect(Number(details.sentWhileDown)).toBeGreaterThanOrEqual(500);
        expect(count).toEqual({
          stored: 2 * all.length,
          delivered: 2 * all.length,
          lost: 0,
          duplicated: 0,
          unexpected: 0,
        });
        expect(new Set(eventIds).size).toBe(all.length); // every message published at least once
        expect(pending).toBe(0);
        expect(dlq).toBe(0);
        expect(notifications.alive() && messages.alive()).toBe(true);
      }),
    480_000,
  );
});
