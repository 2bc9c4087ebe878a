/** Backoff of the consumer's transient-failure retries: 200 ms doubling, capped at 5 s. */
export function retryDelayMs(attempt: number, baseMs = 200, capMs = 5_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
