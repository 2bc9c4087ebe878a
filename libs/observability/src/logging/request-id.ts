import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Header carrying the request id, read from the caller and echoed on every response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest incoming request id reused as is; longer ones are replaced by a fresh UUID. */
export const REQUEST_ID_MAX_LENGTH = 128;

const SANE_ID = /^[A-Za-z0-9._:@/+=-]+$/;

/**
 * True when an incoming `x-request-id` value may be reused: one string of 1..128 characters of
 * letters, digits and `. _ : @ / + = -` (no spaces, quotes or control characters that could forge
 * log lines or headers).
 */
export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= REQUEST_ID_MAX_LENGTH && SANE_ID.test(value);
}

/**
 * The request id of a raw Node request: its `x-request-id` header when sane, else a random UUID.
 * Used as Fastify's `genReqId` (so `request.id`, the pino-http `req.id` and the echoed header agree).
 */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(incoming) ? incoming : randomUUID();
}
