/** The fields of driver / mongoose errors the classifiers below look at. */
interface ErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
  cause?: unknown;
  errorResponse?: unknown;
  writeErrors?: WriteErrorLike[];
  hasErrorLabel?: (label: string) => boolean;
}

/**
 * One entry of `writeErrors`: the driver's `WriteError` (getter `code`), or what mongoose's
 * `insertMany` makes of it (it spreads the `WriteError`, keeping only `{ err: { code, errmsg }, index }`).
 */
interface WriteErrorLike {
  index?: unknown;
  code?: unknown;
  errmsg?: unknown;
  err?: { index?: unknown; code?: unknown; errmsg?: unknown };
}

/** The server error code of a write error, whichever shape it has. */
export function writeErrorCode(w: WriteErrorLike): number | undefined {
  const code = w.code ?? w.err?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * The per-document errors of a bulk write (the driver's `MongoBulkWriteError.writeErrors`, one or
 * many, or mongoose's copy of them), by index into the documents of the call. Empty when the error
 * is not about single documents (e.g. the server is unreachable).
 */
export function writeErrorsByIndex(err: unknown): Map<number, { code?: number; message: string }> {
  const raw = (err as { writeErrors?: unknown } | null)?.writeErrors;
  const list = (Array.isArray(raw) ? raw : raw ? [raw] : []) as WriteErrorLike[];
  const out = new Map<number, { code?: number; message: string }>();
  for (const w of list) {
    const index = w.index ?? w.err?.index;
    const message = w.errmsg ?? w.err?.errmsg;
    if (typeof index === 'number')
      out.set(index, { code: writeErrorCode(w), message: typeof message === 'string' ? message : 'write error' });
  }
  return out;
}

/** Server error codes of an unavailable or changing server: NotWritablePrimary, ShutdownInProgress... */
const TRANSIENT_CODES = [6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436];

/**
 * Server error codes that are about the documents written, not about the server: retrying the same
 * write fails the same way (BadValue, FailedToParse, TypeMismatch, DollarPrefixedFieldName,
 * DocumentValidationFailure, BSONObjectTooLarge, KeyTooLong...).
 */
const DOCUMENT_CODES = [2, 9, 14, 52, 55, 57, 121, 10334, 17280, 17419];

/** Mongoose / BSON errors raised before anything reaches the server, for the given documents. */
const DOCUMENT_ERROR_NAMES =
  /^(ValidationError|ValidatorError|CastError|StrictModeError|ObjectParameterError|BSONError|BSONVersionError|MongoInvalidArgumentError)$/;

/** Network-level failures as the driver words them (also when wrapped in a bulk-write error). */
const NETWORK_MESSAGE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|socket hang up|connection .*(closed|reset)|pool .* (was )?cleared|server selection timed out|buffering timed out/i;

/**
 * The error and the errors it wraps: `cause`, and the driver error a `MongoBulkWriteError` carries
 * in `errorResponse` when a bulk operation (e.g. `insertMany`) failed as a whole (a network error
 * during `insertMany` surfaces as `MongoBulkWriteError` with no `writeErrors`).
 */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let e = err as ErrorLike | null | undefined;
  while (e && typeof e === 'object' && out.length < 5 && !out.includes(e)) {
    out.push(e);
    const inner: unknown = e.cause ?? e.errorResponse;
    e = inner instanceof Error ? (inner as ErrorLike) : undefined;
  }
  return out;
}

/**
 * True for MongoDB's duplicate-key error (code 11000, "E11000"), raised when a write would break a
 * unique index; see the MongoDB manual, "Unique Indexes". Herald relies on it for idempotency.
 * A bulk-write error counts only when every one of its write errors is a duplicate key (its own
 * `code` is only the first write error's, so it alone would hide a different failure).
 */
export function isDuplicateKeyError(err: unknown): boolean {
  const e = err as ErrorLike | null;
  if (!e) return false;
  // A bulk error's own `code` is its first write error's: the others must be duplicates too.
  if (Array.isArray(e.writeErrors) && e.writeErrors.length > 0)
    return e.writeErrors.every((w) => writeErrorCode(w) === 11000);
  return e.code === 11000;
}

/**
 * True for errors worth retrying later: the server unreachable, a timeout, a failover
 * (not primary), a network error, mongoose's "buffering timed out" (a command queued while the
 * connection was down), also when wrapped in a bulk-write error or an error `cause`. See the MongoDB
 * manual, "Retryable Writes", and the driver's `MongoNetworkError` / `MongoServerSelectionError`.
 */
export function isTransientMongoError(err: unknown): boolean {
  return chain(err).some((e) => {
    const name = e.name ?? '';
    if (
      /MongoNetwork|MongoServerSelection|MongoNotConnected|MongoTopologyClosed|MongooseServerSelection|PoolClearedError|Timeout/i.test(
        name,
      )
    ) {
      return true;
    }
    if (
      typeof e.hasErrorLabel === 'function' &&
      (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError'))
    ) {
      return true;
    }
    if (typeof e.code === 'number' && TRANSIENT_CODES.includes(e.code)) return true;
    // Mongoose raises a plain MongooseError when a buffered command times out (bufferTimeoutMS).
    return /^Mongo(ose)?(Bulk)?\w*Error$/.test(name) && NETWORK_MESSAGE.test(e.message ?? '');
  });
}

/**
 * True when a write failed because of the documents themselves, so the same write would fail again
 * however often it is retried: mongoose validation/cast errors, BSON serialisation errors, server
 * codes such as DocumentValidationFailure or BSONObjectTooLarge, and bulk writes whose write errors
 * are (other than duplicate keys) all of that kind. Such a record belongs in a dead-letter queue;
 * anything else (network, timeouts, unknown errors) is better retried than moved aside.
 */
export function isPermanentWriteError(err: unknown): boolean {
  if (isTransientMongoError(err)) return false;
  const e = err as ErrorLike | null;
  if (!e || typeof e !== 'object') return false;
  if (DOCUMENT_ERROR_NAMES.test(e.name ?? '')) return true;
  if (Array.isArray(e.writeErrors) && e.writeErrors.length > 0) {
    const others = e.writeErrors.map(writeErrorCode).filter((code) => code !== 11000);
    return others.length > 0 && others.every((code) => code !== undefined && DOCUMENT_CODES.includes(code));
  }
  return typeof e.code === 'number' && DOCUMENT_CODES.includes(e.code);
}

/**
 * MongoDB's write-error rules for a batch consumer (`WriteErrorRules` of @herald/kafka): a
 * document-level failure ({@link isPermanentWriteError}) goes to the DLQ path, an unreachable or
 * timing-out server ({@link isTransientMongoError}) is waited out.
 */
export const MONGO_WRITE_ERRORS = {
  name: 'MongoDB',
  isPermanent: isPermanentWriteError,
  isTransient: isTransientMongoError,
} as const;
