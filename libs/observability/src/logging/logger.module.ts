import { DynamicModule, RequestMethod } from '@nestjs/common';
import { LoggerModule, Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';
import { stdTimeFunctions } from 'pino';
import { AppConfig } from '@herald/config';
import { prettyStream, resolveLogFormat } from './log-format';
import { requestIdOf } from './request-id';

/** Paths whose successful requests are not logged (probes and scrapes every few seconds). */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/** Query parameters that carry credentials (the SSE stream accepts `?access_token=<JWT>`). */
const SECRET_PARAMS = ['access_token', 'token'];

/** A credential query parameter's `name=` (group 1) and value, up to `&`, `#`, whitespace or a quote. */
const SECRET_PARAM_VALUE = new RegExp(`([?&](?:${SECRET_PARAMS.join('|')})=)[^&#\\s"']*`, 'gi');

/**
 * `url` with the values of credential query parameters (`access_token`, `token`; any case) replaced
 * by `[redacted]`. Also works on free text that contains such URLs (an error message, a stack).
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  return url.replace(SECRET_PARAM_VALUE, '$1[redacted]');
}

/** The request as pino-std-serializers gives it to a custom serializer (pino-http wraps it). */
interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  query?: unknown;
  remoteAddress?: string;
  headers?: Record<string, unknown>;
}

/**
 * The `req` of a log record: `{id, method, url, query, remoteAddress, userAgent}`, the URL with its
 * credentials redacted ({@link redactUrl}). Headers other than `user-agent` are left out: they were
 * most of a request line's bytes (~700 with Helmet's response headers) and of the logger's CPU per
 * request (bench/findings.md, finding 24).
 */
export function requestFields(req: SerializedRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: redactUrl(req.url),
    query: req.query,
    remoteAddress: req.remoteAddress,
    userAgent: req.headers?.['user-agent'],
  };
}

/** The `res` of a log record: `{statusCode}` (the response headers are left out, see {@link requestFields}). */
export function responseFields(res: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/**
 * nestjs-pino settings: one JSON line per log record on stdout (or one readable line with
 * `LOG_FORMAT=pretty`, see {@link resolveLogFormat}), level `LOG_LEVEL`, every HTTP log
 * carries `req.id` (the request id, see {@link requestIdOf}) and the fields of {@link requestFields}
 * and {@link responseFields}, credentials redacted (`access_token` in the URL and query string;
 * Authorization and cookies also if a record carries headers), probe and scrape requests not logged.
 *
 * @param appName value of the `name` field of every record (`messages`, `notifications`)
 */
export function pinoParams(config: AppConfig, appName: string): Params {
  const options: Options = {
    name: appName,
    level: config.env.LOG_LEVEL,
    timestamp: stdTimeFunctions.isoTime,
    genReqId: (req: IncomingMessage & { id?: unknown }) => (typeof req.id === 'string' ? req.id : requestIdOf(req)),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        ...SECRET_PARAMS.map((p) => `req.query.${p}`),
      ],
      censor: '[redacted]',
    },
    serializers: { req: requestFields, res: responseFields },
    // middie rewrites req.url relative to the middleware mount; originalUrl is the full path.
    autoLogging: {
      ignore: (req: IncomingMessage & { originalUrl?: string }) => QUIET_PATHS.test(req.originalUrl ?? req.url ?? ''),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
  };
  return {
    pinoHttp: resolveLogFormat(config.env.LOG_FORMAT) === 'pretty' ? [options, prettyStream()] : options,
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  };
}

/**
 * Structured JSON logging for an app (nestjs-pino + pino-http, global). The app's Nest logger is
 * switched to it by `createHttpApp` (`app.useLogger(app.get(Logger))`).
 */
export function heraldLoggerModule(appName: string): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [AppConfig],
    useFactory: (config: AppConfig) => pinoParams(config, appName),
  });
}
