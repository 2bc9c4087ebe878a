import { randomInt } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createMessagesApp } from '../../apps/messages/src/bootstrap';
import { appEnv, uniqueUser } from '../support/env';
import { bearer, hs256, HttpApps, startHttpApps } from '../support/security';

/** One messages app (HTTP only) with extra env, for the variants below. */
async function messagesApp(extra: Record<string, string>): Promise<NestFastifyApplication> {
  const app = await createMessagesApp(appEnv({ KAFKA_CREATE_TOPICS: 'false', ...extra }));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** A /24 of this run: the limits' counters are shared (MongoDB) and outlive a run by a minute. */
const NET = `10.${randomInt(1, 250)}.${randomInt(1, 250)}`;

const ERROR_SHAPE = { statusCode: expect.any(Number), error: expect.any(String), message: expect.any(String) };

describe('HTTP hardening', () => {
  describe('rate limits (per user and per IP, 429 + Retry-After)', () => {
    let apps: HttpApps;
    beforeAll(async () => {
      apps = await startHttpApps({
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_PER_MINUTE: '5',
        RATE_LIMIT_IP_PER_MINUTE: '8',
      });
    });
    afterAll(() => apps?.close());

    it('limits a user across routes, whatever IP they come from; other users are unaffected', async () => {
      const alice = await hs256(uniqueUser('alice'));
      const get = (url: string, ip: string, token = alice) =>
        apps.messages.inject({ method: 'GET', url, headers: bearer(token), remoteAddress: ip });
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (await get(i % 2 ? '/api/v1/conversations' : '/api/v1/messages/000000000000000000000000', `${NET}.${i}`))
            .statusCode,
        );
      expect(codes).toEqual([404, 200, 404, 200, 404]);
      const limited = await get('/api/v1/conversations', `${NET}.99`);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'rate limit exceeded, retry later',
      });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect((await get('/api/v1/conversations', `${NET}.99`, await hs256(uniqueUser('bob')))).statusCode).toBe(200);
    });

    it('limits an IP before authentication (token-less floods too); X-Forwarded-For is not believed', async () => {
      const ip = `${NET}.201`;
      const codes: number[] = [];
      for (let i = 0; i < 9; i++) {
        const res = await apps.notifications.inject({
          method: 'GET',
          url: '/api/v1/notifications',
          remoteAddress: ip,
          headers: { 'x-forwarded-for': `192.0.2.${i}` },
        });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 429]);
    });

    it('never limits health probes and metrics', async () => {
      for (let i = 0; i < 12; i++) {
        expect(
          (await apps.messages.inject({ method: 'GET', url: '/health/live', remoteAddress: `${NET}.202` })).statusCode,
        ).toBe(200);
      }
    });
  });

  describe('headers, CORS, body limits, error bodies', () => {
    let apps: HttpApps;
    let token: string;
    beforeAll(async () => {
      apps = await startHttpApps();
      token = await hs256(uniqueUser('alice'));
    });
    afterAll(() => apps?.close());

    it('sends OWASP security headers and a no-load CSP on API responses', async () => {
      for (const app of [apps.messages, apps.notifications]) {
        const res = await app.inject({
          method: 'GET',
          url: app === apps.messages ? '/api/v1/conversations' : '/api/v1/notifications',
          headers: bearer(token),
        });
        expect(res.statusCode).toBe(200);
        expect(res.headers).toMatchObject({
          'content-security-policy': expect.stringContaining("default-src 'none'"),
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'strict-transport-security': expect.stringContaining('max-age='),
          'cache-control': 'no-store',
        });
        expect(res.headers['x-powered-by']).toBeUndefined();
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('serves Swagger UI under a CSP that lets it run (own scripts, inline styles, data: images)', async () => {
      const res = await apps.messages.inject({ method: 'GET', url: '/docs' });
      expect(res.statusCode).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain('img-src');
      // Every script it loads is its own (allowed by script-src 'self'); none is inline.
      const scripts = [...res.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);
      for (const attrs of scripts) expect(attrs).toMatch(/src="\.\//);
      expect((await apps.messages.inject({ method: 'GET', url: '/docs-json' })).statusCode).toBe(200);
    });

    it('answers 401 with WWW-Authenticate: Bearer (RFC 6750) in the standard shape', async () => {
      const none = await apps.messages.inject({ method: 'GET', url: '/api/v1/conversations' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="herald"');
      expect(none.json()).toEqual({ ...ERROR_SHAPE, statusCode: 401 });
      const bad = await apps.messages.inject({ method: 'GET', url: '/api/v1/conversations', headers: bearer('x.y.z') });
      expect(bad.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('refuses a body over 64 KiB with 413, and a body over 4000 characters with 400', async () => {
      const big = await apps.messages.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: bearer(token),
        payload: { recipientIds: ['bob'], body: 'x'.repeat(65 * 1024) },
      });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
      const long = await apps.messages.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: bearer(token),
        payload: { recipientIds: ['bob'], body: 'x'.repeat(4001) },
      });
      expect(long.statusCode).toBe(400);
      expect(long.json().details[0].field).toBe('body');
    });

    it('rejects prototype-pollution JSON at the parser with the standard 400', async () => {
      for (const payload of [
        '{"__proto__":{"admin":true},"recipientIds":["bob"],"body":"x"}',
        '{"constructor":{"prototype":{"admin":true}},"recipientIds":["bob"],"body":"x"}',
      ]) {
        const res = await apps.messages.inject({
          method: 'POST',
          url: '/api/v1/messages',
          headers: { ...bearer(token), 'content-type': 'application/json' },
          payload,
        });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual({ ...ERROR_SHAPE, statusCode: 400 });
      }
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  });

  describe('CORS allow-list', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => {
      app = await messagesApp({ CORS_ORIGINS: 'https://app.example' });
    });
    afterAll(() => app?.close());

    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/api/v1/messages',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });

    it('allows the listed origin (with credentials), and only it', async () => {
      const ok = await preflight('https://app.example');
      expect(ok.statusCode).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(String(ok.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
      const evil = await preflight('https://evil.example');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('production mode', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => {
      app = await messagesApp({
        NODE_ENV: 'production',
        AUTH_DEV_TOKENS: 'true',
        JWT_SECRET: 'production-secret-0123456789abcdef',
      });
    });
    afterAll(() => app?.close());

    it('never issues dev tokens: POST /api/v1/auth/token → 404 (even with AUTH_DEV_TOKENS=true)', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { userId: 'alice' } });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    });

    it('keeps error bodies to the standard shape without internals', async () => {
      const token = await hs256('alice', { secret: 'production-secret-0123456789abcdef' });
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/messages',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        payload: '{"recipientIds": [',
      });
      expect(bad.statusCode).toBe(400);
      expect(Object.keys(bad.json()).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(bad.body).not.toMatch(/at .*\.(js|ts):\d+|node_modules|stack/);
    });
  });
});
