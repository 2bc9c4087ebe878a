import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino, stdTimeFunctions } from 'pino';
import { LogFormat, prettyStream, quietStartup, resolveLogFormat } from './log-format';

/**
 * A Nest `LoggerService` writing the same JSON lines as nestjs-pino (`level`, `time`, `context`,
 * `msg`), for the records written while the app is being created, before nestjs-pino's logger can
 * be fetched from it. Not buffered: a start-up stuck on a dependency (MongoDB retries) shows at once.
 * Same format as the app's logs (`LOG_FORMAT`, see {@link resolveLogFormat}); Nest's module-loading
 * records go to `debug` ({@link quietStartup}).
 *
 * @param level pino level (`LOG_LEVEL`)
 * @param format `LOG_FORMAT` (undefined: by terminal)
 */
export function startupLogger(level: string, format?: LogFormat): LoggerService {
  const options = { level, timestamp: stdTimeFunctions.isoTime };
  const log = resolveLogFormat(format) === 'pretty' ? pino(options, prettyStream()) : pino(options);
  const write =
    (fn: keyof Pick<Pino, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>) =>
    (message: unknown, ...params: unknown[]): void => {
      const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
      const stack =
        fn === 'error' || fn === 'fatal' ? params.find((p): p is string => typeof p === 'string') : undefined;
      const obj = { ...(context ? { context } : {}), ...(stack ? { err: { stack } } : {}) };
      if (message instanceof Error) log[fn]({ ...obj, err: message }, message.message);
      else if (typeof message === 'object' && message !== null) log[fn]({ ...obj, ...message });
      else log[fn](obj, String(message));
    };
  return quietStartup({
    fatal: write('fatal'),
    error: write('error'),
    warn: write('warn'),
    log: write('info'),
    debug: write('debug'),
    verbose: write('trace'),
  });
}
