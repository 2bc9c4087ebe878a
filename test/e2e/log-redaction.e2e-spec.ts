import { PinoLogger } from 'nestjs-pino';
import { symbols } from 'pino';
import { uniqueUser } from '../support/env';
import { hs256, HttpApps, startHttpApps } from '../support/security';
import { openSse } from '../support/sse';
import { waitFor } from '../support/wait';

type Stream = { write(line: string): unknown };

/**
 * Copies every line the request logger of the last app created in this process writes (nestjs-pino's
 * root logger, which request loggers are children of) while still writing it.
 */
function tapRootLog(): { lines: string[]; restore(): void } {
  const stream = (PinoLogger.root as unknown as Record<symbol, Stream>)[symbols.streamSym];
  const write = stream.write;
  const lines: string[] = [];
  stream.write = function (this: Stream, line: string) {
    lines.push(line);
    return write.call(this, line);
  };
  return { lines, restore: () => (stream.write = write) };
}

/** The SSE stream's `?access_token=` never reaches the logs: request logs show `[redacted]`. */
describe('request logs redact the SSE access_token', () => {
  let apps: HttpApps;
  let tap: ReturnType<typeof tapRootLog>;

  beforeAll(async () => {
    apps = await startHttpApps({ LOG_LEVEL: 'info' }, true); // notifications last: the root logger is its
    tap = tapRootLog();
  });
  afterAll(async () => {
    tap?.restore();
    await apps?.close();
  });

  it('logs the stream URL and query with the token replaced, for an accepted and a refused token', async () => {
    const token = await hs256(uniqueUser('logs'));
    const refused = 'refused.SECRET-not-a-jwt';
    const base = `${await apps.notifications.getUrl()}/api/v1/notifications/stream`;
    const ok = await openSse(`${base}?access_token=${token}&x=1`);
    expect(ok.status).toBe(200);
    await waitFor(
      async () => ok.events.length,
      (n) => n > 0,
      { what: 'the initial count' },
    );
    ok.close();
    expect((await openSse(`${base}?access_token=${refused}`)).status).toBe(401);

    const logged = await waitFor(
      async () =>
        tap.lines
          .map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string; query?: Record<string, string> } })
          .filter((r) => r.req?.url?.startsWith('/api/v1/notifications/stream')),
      (records) => records.filter((r) => /^request (completed|aborted)$/.test(r.msg ?? '')).length >= 2,
      { what: 'the request logs of both streams' },
    );
    const urls = logged.map((r) => r.req?.url);
    expect(urls).toContain('/api/v1/notifications/stream?access_token=[redacted]&x=1');
    expect(urls).toContain('/api/v1/notifications/stream?access_token=[redacted]');
    for (const r of logged) expect(r.req?.query?.access_token).toBe('[redacted]');
    const all = tap.lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain('SECRET-not-a-jwt');
  });
});
