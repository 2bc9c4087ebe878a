/**
 * True for MongoDB's duplicate-key error (code 11000, "E11000"), raised when a write would break a
 * unique index; see the MongoDB manual, "Unique Indexes". Herald relies on it for idempotency.
 */
export function isDuplicateKeyError(err: unknown): boolean {
  const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown }> } | null;
  return !!e && (e.code === 11000 || (Array.isArray(e.writeErrors) && e.writeErrors.length > 0 && e.writeErrors.every((w) => w.code === 11000)));
}

/**
 * True for errors worth retrying later: the server unreachable, a timeout, a failover
 * (not primary), a network error. See the MongoDB manual, "Retryable Writes", and the driver's
 * `MongoNetworkError` / `MongoServerSelectionError` classes.
 */
export function isTransientMongoError(err: unknown): boolean {
  const e = err as { name?: string; code?: number; errorLabels?: string[]; hasErrorLabel?: (l: string) => boolean } | null;
  if (!e) return false;
  const name = e.name ?? '';
  if (/MongoNetwork|MongoServerSelection|MongoNotConnected|MongoTopologyClosed|MongooseServerSelection|PoolClearedError|Timeout/i.test(name)) {
    return true;
  }
  if (typeof e.hasErrorLabel === 'function' && (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError'))) {
    return true;
  }
  // NotWritablePrimary, NotPrimaryNoSecondaryOk, InterruptedAtShutdown, ShutdownInProgress, HostUnreachable...
  return [6, 7, 89, 91, 189, 10107, 11600, 11602, 13435, 13436].includes(e.code ?? -1);
}
