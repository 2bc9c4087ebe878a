import { KafkaBatchContext } from './kafka-batch.context';

/** Backoff of a batch consumer's transient-failure retries, in ms: 200 ms doubling, capped at 5 s. */
export function retryDelayMs(attempt: number, baseMs = 200, capMs = 5_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How {@link retryWrite} tells failures apart and reports them (the caller's database rules). */
export interface WriteRetryPolicy {
  /** A failure about the documents themselves: retrying cannot help (e.g. `isPermanentWriteError` of @herald/mongo). */
  isPermanent(err: unknown): boolean;
  /** True once the app is shutting down: stop retrying and leave the records uncommitted. */
  isStopping(): boolean;
  /** Logs one retry (a warning): `what`, why, the error, the attempt and the delay. */
  warn(message: string): void;
  /** Short reason for the log, e.g. "MongoDB unavailable" for a transient error. */
  explain(err: unknown): string;
}

/**
 * Runs `write` until it succeeds, for a `@BatchEventPattern` handler that must not commit before
 * its write is done (commit after write). A permanent error goes to `onPermanent` (e.g. write the
 * records one by one and dead-letter the one at fault); any other error is retried in place after
 * {@link retryDelayMs}, heartbeating between attempts so the group keeps the partition (kafkajs
 * `heartbeat()`, "Consuming messages: eachBatch"): a database outage stalls the partition, never
 * dead-letters its records.
 *
 * @throws Error when the app is shutting down (the records stay uncommitted and are delivered
 *   again), or what the heartbeat throws after a rebalance took the partition away
 */
export async function retryWrite<T>(
  ctx: KafkaBatchContext,
  what: string,
  write: () => Promise<T>,
  onPermanent: (err: Error) => Promise<T>,
  policy: WriteRetryPolicy,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (policy.isPermanent(err)) return onPermanent(err as Error);
      if (policy.isStopping()) throw new Error(`shutting down with ${what} unwritten (not committed)`, { cause: err });
      const delay = retryDelayMs(attempt);
      policy.warn(
        `${what}: ${policy.explain(err)} (${(err as Error).name}: ${(err as Error).message}); retry ${attempt} in ${delay} ms`,
      );
      await sleep(delay);
      await ctx.getHeartbeat()();
    }
  }
}
