import { Writable } from 'node:stream';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import pinoHttp, { Options } from 'pino-http';
import { AppConfig } from '@herald/config';
import { prettyStream, quietStartup, requestLine, resolveLogFormat } from './log-format';
import { pinoParams } from './logger.module';

describe('resolveLogFormat', () => {
  it('honours LOG_FORMAT, else pretty on a terminal and JSON elsewhere', () => {
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, false)).toBe('json');
    expect(resolveLogFormat(undefined, undefined)).toBe('json');
  });
});

describe('requestLine', () => {
  it('makes one line of a completed request: method, path, status, ms, request id', () => {
    expect(
      requestLine({
        msg: 'request completed',
        req: { id: 'r-1', method: 'POST', url: '/api/v1/messages' },
        res: { statusCode: 201 },
        responseTime: 12,
      }),
    ).toBe('POST /api/v1/messages 201 12 ms  req r-1');
    expect(
      requestLine({
        msg: 'request errored',
        req: { id: 'r-2', method: 'GET', url: '/x' },
        res: { statusCode: 500 },
        responseTime: 3,
      }),
    ).toBe('GET /x 500 3 ms  req r-2  request errored');
    expect(requestLine({ msg: 'listening', context: 'Bootstrap' })).toBe('[Bootstrap] listening');
  });
});

describe('pretty request logs', () => {
  it('writes one line per request through pino-http, credentials redacted', () => {
    let out = '';
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        out += String(chunk);
        done();
      },
    });
    const params = pinoParams(
      { env: { LOG_LEVEL: 'info', LOG_FORMAT: 'json' } } as unknown as AppConfig,
      'notifications',
    );
    const logger = pinoHttp(params.pinoHttp as Options, prettyStream(sink, false));
    const url = '/api/v1/notifications/stream?access_token=eyJ.secret.sig';
    const req = Object.assign(new IncomingMessage(new Socket()), {
      method: 'GET',
      url,
      originalUrl: url,
      query: {},
      headers: { 'x-request-id': 'abc-123' },
    });
    const res = new ServerResponse(req);
    logger(req, res);
    res.statusCode = 200;
    Object.defineProperty(res, 'writableEnded', { value: true });
    Object.defineProperty(res, 'headersSent', { value: true });
    res.emit('finish');
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/api\/v1\/notifications\/stream\?access_token=\[redacted\] 200 \d+ ms {2}req abc-123$/,
    );
  });

  it('pretty params pass a stream to pino-http when LOG_FORMAT=pretty', () => {
    const params = pinoParams({ env: { LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' } } as unknown as AppConfig, 'messages');
    expect(Array.isArray(params.pinoHttp)).toBe(true);
  });
});

describe('quietStartup', () => {
  it("sends Nest's module and route-mapping records to debug, everything else through", () => {
    const calls: string[] = [];
    const rec =
      (level: string) =>
      (m: unknown, ...p: unknown[]) =>
        calls.push(`${level}:${String(m)}:${p.join(',')}`);
    const inner: LoggerService = {
      log: rec('log'),
      error: rec('error'),
      warn: rec('warn'),
      debug: rec('debug'),
      verbose: rec('verbose'),
    };
    const q = quietStartup(inner);
    q.log('Mapped {/api/v1/messages, POST} route', 'RouterExplorer');
    q.log('AppModule dependencies initialized', 'InstanceLoader');
    q.log('messages ready', 'Bootstrap');
    q.warn('slow', 'MongoDB');
    q.fatal?.('down', 'X');
    expect(calls).toEqual([
      'debug:Mapped {/api/v1/messages, POST} route:RouterExplorer',
      'debug:AppModule dependencies initialized:InstanceLoader',
      'log:messages ready:Bootstrap',
      'warn:slow:MongoDB',
      'error:down:X',
    ]);
  });
});
