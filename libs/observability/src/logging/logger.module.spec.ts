import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import pinoHttp, { Options } from 'pino-http';
import { AppConfig } from '@herald/config';
import { pinoParams, redactUrl } from './logger.module';

describe('redactUrl', () => {
  it('hides credentials passed in the query string', () => {
    expect(redactUrl('/api/v1/notifications/stream?access_token=eyJ.a.b')).toBe(
      '/api/v1/notifications/stream?access_token=[redacted]',
    );
    expect(redactUrl('/x?a=1&token=abc&b=2')).toBe('/x?a=1&token=[redacted]&b=2');
    expect(redactUrl('/api/v1/notifications?limit=5')).toBe('/api/v1/notifications?limit=5');
    expect(redactUrl(undefined)).toBeUndefined();
  });

  it('hides every occurrence, whatever the case, and keeps what follows the value', () => {
    expect(redactUrl('/s?ACCESS_TOKEN=a&access_token=b#frag')).toBe(
      '/s?ACCESS_TOKEN=[redacted]&access_token=[redacted]#frag',
    );
    expect(redactUrl('/s?my_access_token=a')).toBe('/s?my_access_token=a');
    expect(redactUrl('GET /s?access_token=eyJ.a.b failed')).toBe('GET /s?access_token=[redacted] failed');
  });
});

describe('pinoParams', () => {
  /** Runs one request through pino-http with Herald's settings and returns the JSON lines logged. */
  function logRequest(
    url: string,
    query: Record<string, string>,
    headers: Record<string, string> = {},
  ): Array<Record<string, any>> {
    const lines: string[] = [];
    const params = pinoParams(
      { env: { LOG_LEVEL: 'info', LOG_FORMAT: 'json' } } as unknown as AppConfig,
      'notifications',
    );
    const logger = pinoHttp(params.pinoHttp as Options, { write: (line: string) => lines.push(line) });
    const req = Object.assign(new IncomingMessage(new Socket()), {
      method: 'GET',
      url,
      originalUrl: url,
      query,
      headers,
    });
    const res = new ServerResponse(req);
    logger(req, res);
    req.log.warn('inside the request');
    res.statusCode = 200;
    Object.defineProperty(res, 'writableEnded', { value: true }); // ended without a socket to flush to
    res.emit('finish');
    return lines.map((l) => JSON.parse(l));
  }

  it('logs request lines without the access_token of the URL or the query (request logs and logs inside a request)', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig';
    const records = logRequest(`/api/v1/notifications/stream?access_token=${token}&x=1`, {
      access_token: token,
      x: '1',
    });
    expect(records.map((r) => r.msg)).toEqual(['inside the request', 'request completed']);
    for (const r of records) {
      expect(r.req.url).toBe('/api/v1/notifications/stream?access_token=[redacted]&x=1');
      expect(r.req.query).toEqual({ access_token: '[redacted]', x: '1' });
    }
    expect(JSON.stringify(records)).not.toContain(token);
  });

  it('logs the request without its headers but the user agent, and the response by its status', () => {
    const [, completed] = logRequest(
      '/api/v1/notifications?limit=5',
      { limit: '5' },
      { 'user-agent': 'curl/8', authorization: 'Bearer x' },
    );
    // remoteAddress is left out of the JSON here: the test's socket has none.
    expect(Object.keys(completed.req).sort()).toEqual(['id', 'method', 'query', 'url', 'userAgent']);
    expect(completed.req).toMatchObject({ method: 'GET', url: '/api/v1/notifications?limit=5', userAgent: 'curl/8' });
    // pino's serializer gives statusCode null until the headers were sent (none are here).
    expect(Object.keys(completed.res)).toEqual(['statusCode']);
    expect(JSON.stringify(completed)).not.toContain('Bearer');
  });
});
