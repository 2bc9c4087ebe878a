import { retryDelayMs, sleep } from './batch/write-retry';

/** Attempts of one produce call before it is given up (the first and 7 more, about 25 s in all). */
export const SEND_ATTEMPTS = 8;
/** Wait before the first resend, in ms; doubles per attempt. */
export const SEND_RETRY_INITIAL_MS = 300;
/** Longest wait between two attempts, in ms. */
export const SEND_RETRY_MAX_MS = 5_000;

/**
 * Whether a produce error cannot get better by sending again: a Kafka protocol error the broker
 * marks non-retriable (e.g. `MESSAGE_TOO_LARGE`, `INVALID_RECORD`), also when kafkajs wraps it.
 */
export function isPermanentSendError(err: unknown): boolean {
  for (let e = err as { name?: string; retriable?: boolean; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'KafkaJSProtocolError') return e.retriable === false;
  }
  return false;
}

/**
 * Runs one produce call and, when it fails, runs it again with **all** its records, up to
 * {@link SEND_ATTEMPTS} times (300 ms doubling to 5 s between attempts), unless the error is
 * permanent ({@link isPermanentSendError}).
 *
 * Herald's producers leave kafkajs's own retries off (`PRODUCER_SETTINGS`) and retry here, because
 * kafkajs retries a multi-broker send only to the brokers that have not answered yet, chosen by
 * broker, not by partition (`brokersWithoutResponse` in kafkajs `producer/sendMessages.js`): when a
 * partition's leadership moves, during the retry, to a broker that already acknowledged the
 * send's other partitions, that partition's records are never sent again and the send still
 * resolves as acknowledged. A resend of everything may write some records twice; consumers
 * deduplicate by eventId.
 * @throws the last error (a permanent one at once)
 */
export async function resendUntilAcknowledged<T>(
  send: () => Promise<T>,
  onRetry?: (err: Error, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= SEND_ATTEMPTS || isPermanentSendError(err)) throw err;
      onRetry?.(err as Error, attempt);
      await sleep(retryDelayMs(attempt, SEND_RETRY_INITIAL_MS, SEND_RETRY_MAX_MS));
    }
  }
}
