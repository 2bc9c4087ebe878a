import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import { AppConfig } from '@herald/config';
import { registerMethodNotAllowed } from './method-not-allowed';

/**
 * CSP of JSON API responses: nothing may load, nothing may frame them (OWASP REST Security Cheat
 * Sheet, "Security Headers").
 */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * CSP of Swagger UI (`/docs`): its scripts and styles are served by the app itself, it inlines
 * one `<style>` block and uses `data:` images, and "Try it out" calls the same origin.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https://validator.swagger.io",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

/** Headers a browser may send cross-origin, and those it may read (CORS, Fetch standard). */
const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'X-Request-Id'];
const CORS_EXPOSED_HEADERS = [
  'Retry-After',
  'Idempotent-Replayed',
  'X-Request-Id',
  'X-RateLimit-Limit-user',
  'X-RateLimit-Remaining-user',
  'X-RateLimit-Reset-user',
];

/**
 * Browser-facing hardening of an app (call before `init()`/`listen()`):
 *
 * - @fastify/helmet's headers (HSTS, `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
 *   `Referrer-Policy: no-referrer`, Cross-Origin-* policies...; OWASP HTTP Headers Cheat Sheet);
 * - a Content-Security-Policy per area: {@link API_CSP} for the API, {@link DOCS_CSP} for `/docs`;
 * - `Cache-Control: no-store` on `/api` responses (they are per-user data);
 * - `WWW-Authenticate: Bearer` on every 401 (RFC 6750 §3); 405 + `Allow` for a known path with
 *   another method ({@link registerMethodNotAllowed});
 * - request bodies only as well-formed UTF-8 ({@link registerUtf8JsonParser}) `application/json`
 *   (415 otherwise; OWASP REST Security Cheat Sheet,
 *   "Validate content types");
 * - CORS only for the origins in `CORS_ORIGINS` (none by default: no `Access-Control-Allow-*`
 *   header at all, so browsers refuse cross-origin reads). Credentials are allowed for those
 *   origins only (the SSE stream may authenticate with a cookie); never `*`.
 */
export async function registerHttpSecurity(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: false,
    frameguard: { action: 'deny' },
    crossOriginResourcePolicy: { policy: config.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
  });
  const fastify = app.getHttpAdapter().getInstance();
  registerMethodNotAllowed(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url;
    if (hasBody(request) && !isJsonUtf8(request.headers['content-type'])) {
      void reply.code(415).send(errorBody(415, 'request bodies must be application/json (UTF-8)'));
      return;
    }
    const docs =
      path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs?') || path.startsWith('/docs-json');
    void reply.header('Content-Security-Policy', docs ? DOCS_CSP : API_CSP);
    if (path.startsWith('/api/')) void reply.header('Cache-Control', 'no-store');
    done();
  });
  registerUtf8JsonParser(fastify);
  // RFC 6750 §3: a 401 from a bearer-protected resource names the scheme (and why, when a token was sent).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      void reply.header(
        'WWW-Authenticate',
        request.headers.authorization ? 'Bearer realm="herald", error="invalid_token"' : 'Bearer realm="herald"',
      );
    }
    done(null, payload);
  });
  const origins = config.corsOrigins;
  if (origins.length > 0) {
    await app.register(fastifyCors, {
      origin: origins,
      credentials: true,
      methods: ['GET', 'POST', 'PATCH', 'OPTIONS'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
}

/** The standard error body (`ErrorBody` of http-exception.filter.ts) for answers sent from hooks. */
function errorBody(statusCode: number, message: string): { statusCode: number; error: string; message: string } {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** True when the request carries a body (RFC 9112 §6.3: Content-Length > 0 or Transfer-Encoding). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * `application/json`, optionally with `charset=utf-8` (RFC 8259 §8.1: JSON exchanged between
 * systems is UTF-8; RFC 9110 §8.3.1 media type syntax). Any other type or charset is refused.
 */
export function isJsonUtf8(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || /^charset="?utf-8"?$/.test(p));
}

/**
 * Fastify `frameworkErrors` handler: errors the router raises before any route or Nest filter runs
 * (a path with a malformed %-escape, `FST_ERR_BAD_URL`) get the standard error body instead of
 * Fastify's own shape, and never echo the URL back.
 */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? 'malformed URL (invalid %-escape)'
      : status === 414
        ? 'a path parameter is too long'
        : 'bad request';
  void reply.code(status).send(errorBody(status, message));
}

/**
 * Replaces Fastify's `application/json` body parser by one that reads the body as bytes, refuses
 * (400) a body that is not well-formed UTF-8 (RFC 8259 §8.1; RFC 3629; `buffer.isUtf8`, a native
 * check of the whole buffer), then parses it with Fastify's own default JSON parser (same
 * prototype-poisoning protection: `__proto__` / `constructor.prototype` keys are errors, same
 * empty-body error, same body limit). Without it the parser would decode such bytes to U+FFFD and
 * store text the client never sent.
 */
export function registerUtf8JsonParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(Object.assign(new Error('request body is not valid UTF-8'), { statusCode: 400 }), undefined);
      return;
    }
    parseJson(request, bytes.toString('utf8'), done);
  });
}
