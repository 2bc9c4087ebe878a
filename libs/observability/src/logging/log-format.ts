import type { LoggerService } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/** Output formats of the logs (`LOG_FORMAT`). */
export type LogFormat = 'json' | 'pretty';

/**
 * The log format to use: `LOG_FORMAT` when set, else `pretty` when stdout is a terminal and `json`
 * everywhere else (pipes, files, containers, CI). `npm run dev` sets `LOG_FORMAT=pretty` for its apps
 * (their stdout is a pipe to the dev runner) unless the caller set it.
 *
 * @param configured the validated `LOG_FORMAT` (undefined when unset)
 * @param isTty whether stdout is a terminal (`process.stdout.isTTY`)
 */
export function resolveLogFormat(
  configured: LogFormat | undefined,
  isTty: boolean | undefined = process.stdout.isTTY,
): LogFormat {
  return configured ?? (isTty ? 'pretty' : 'json');
}

/** The fields of a pino-http record that {@link requestLine} reads. */
interface HttpRecord {
  msg?: string;
  context?: string;
  req?: { id?: string; method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/**
 * The text of one pretty record: `METHOD /path STATUS N ms  req <id>` for a request's completion
 * (pino-http's `request completed` / `request errored`, the URL already redacted by the
 * serializer), `[context] message  req <id>` for other records.
 */
export function requestLine(log: HttpRecord): string {
  const reqId = log.req?.id ? `  req ${log.req.id}` : '';
  if (log.res && log.req) {
    const failed = log.msg && log.msg !== 'request completed' ? `  ${log.msg}` : '';
    return `${log.req.method} ${log.req.url} ${log.res.statusCode} ${log.responseTime ?? '?'} ms${reqId}${failed}`;
  }
  return `${log.context ? `[${log.context}] ` : ''}${log.msg ?? ''}${reqId}`;
}

/**
 * A pino-pretty stream (written synchronously, no worker thread): one line per record, time of day,
 * level, the text of {@link requestLine}; errors with their stack below. Coloured when the terminal
 * supports it (or `FORCE_COLOR` is set, as `npm run dev` does when its own stdout is a terminal).
 *
 * @param destination where the lines go (default stdout)
 * @param colorize override of the colour detection (tests)
 */
export function prettyStream(destination?: NodeJS.WritableStream, colorize?: boolean): DestinationStream {
  return pretty({
    sync: true,
    ...(destination ? { destination } : {}),
    ...(colorize === undefined ? {} : { colorize }),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name,context,req,res,responseTime',
    messageFormat: (log) => requestLine(log as HttpRecord),
    singleLine: true,
  });
}

/**
 * Contexts of Nest's start-up records (modules loaded, each route mapped, "application started"):
 * about 80 lines per app at `info`. They are logged at `debug` instead (`LOG_LEVEL=debug` shows
 * them); the app's one-line start-up summary (see `listen` in libs/http) replaces them.
 */
export const STARTUP_NOISE_CONTEXTS: ReadonlySet<string> = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'NestMicroservice',
]);

/**
 * Wraps a Nest logger so that `log` records of {@link STARTUP_NOISE_CONTEXTS} go to `debug`;
 * every other record passes through unchanged.
 */
export function quietStartup(logger: LoggerService): LoggerService {
  const isNoise = (params: unknown[]): boolean => {
    const context = params[params.length - 1];
    return typeof context === 'string' && STARTUP_NOISE_CONTEXTS.has(context);
  };
  return {
    log: (message: unknown, ...params: unknown[]) =>
      isNoise(params) && logger.debug ? logger.debug(message, ...params) : logger.log(message, ...params),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => (logger.fatal ?? logger.error).call(logger, message, ...params),
  };
}
