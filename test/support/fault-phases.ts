import { Topics } from '@herald/contracts';
import { countNotifications, Expected } from './fault-metrics';
import { Offsets, scanTopic } from './kafka-probe';
import { Cast, expectedOf, latencyQuantile, Sent } from './load';
import { waitFor } from './wait';

/** Seconds with one decimal, from a duration in ms. */
export const seconds = (ms: number): number => Math.round(ms / 100) / 10;

/**
 * Waits until every notification of `expected` is stored (the consumer has caught up).
 * @returns the ms it took, or -1 when `timeoutMs` passed first (the caller's count then shows the loss)
 */
export async function caughtUp(uri: string, expected: readonly Expected[], timeoutMs = 180_000): Promise<number> {
  const t0 = Date.now();
  const want = expected.reduce((n, e) => n + e.recipients.length, 0);
  try {
    await waitFor(
      () => countNotifications(uri, expected),
      (c) => c.delivered >= want,
      { timeoutMs, intervalMs: 500, what: `${want} notifications` },
    );
    return Date.now() - t0;
  } catch {
    return -1;
  }
}

/**
 * The `message.created` events of a cast's accepted messages published since `from`: how many,
 * and how many of them repeat a message already published (at-least-once publishing, absorbed by
 * the consumer's unique index).
 */
export async function eventCounts(
  from: Offsets,
  cast: Cast,
  sent: readonly Sent[],
): Promise<{ events: number; duplicateEvents: number; unpublished: number }> {
  const ids = new Set(expectedOf(sent).map((e) => e.messageId));
  const records = await scanTopic(Topics.MessageCreated, from, (r) => r.value !== null && r.value.includes(cast.tag));
  const eventIds = records
    .map((r) => (JSON.parse(r.value!.toString()) as { data: { messageId: string } }).data.messageId)
    .filter((id) => ids.has(id));
  const distinct = new Set(eventIds);
  return {
    events: eventIds.length,
    duplicateEvents: eventIds.length - distinct.size,
    unpublished: [...ids].filter((id) => !distinct.has(id)).length,
  };
}

/** p50 / p99 of a phase's POST latencies, in ms, as `details` fields named `<prefix>P50Ms` / `<prefix>P99Ms`. */
export function latencyFigures(prefix: string, sent: readonly Sent[]): Record<string, number> {
  return { [`${prefix}P50Ms`]: latencyQuantile(sent, 0.5), [`${prefix}P99Ms`]: latencyQuantile(sent, 0.99) };
}
