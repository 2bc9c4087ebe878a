import { generateKeyPair, SignJWT } from 'jose';
import { uniqueUser } from '../support/env';
import { bearer, hs256, HttpApps, JwksServer, startHttpApps, startJwksServer, unsecured } from '../support/security';
import { openSse } from '../support/sse';

const ISSUER = 'https://idp.herald.test';
const AUDIENCE = 'herald-api';

/**
 * Bearer authentication through HTTP on both apps, with HS256 (JWT_SECRET) and RS256/ES256 from a
 * JWKS served on 127.0.0.1, `iss` and `aud` required: every bad token is a 401 in the standard
 * shape (RFC 6750, RFC 8725).
 */
describe('authentication (HS256 + JWKS, issuer and audience checked)', () => {
  let jwks: JwksServer;
  let apps: HttpApps;
  const user = uniqueUser('alice');
  const claims = { sub: user, iss: ISSUER, aud: AUDIENCE };

  beforeAll(async () => {
    jwks = await startJwksServer();
    apps = await startHttpApps({ JWT_JWKS_URI: jwks.uri, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, true);
  });
  afterAll(async () => {
    await apps?.close();
    await jwks?.close();
  });

  const routes = () => [
    { app: apps.messages, url: '/api/v1/conversations' },
    { app: apps.notifications, url: '/api/v1/notifications/count' },
  ];

  const accepted: Array<[string, () => Promise<string>]> = [
    ['HS256 with the secret', () => hs256(user, { issuer: ISSUER, audience: AUDIENCE })],
    ['RS256 from the JWKS', () => jwks.sign('RS256', claims)],
    ['ES256 from the JWKS', () => jwks.sign('ES256', claims)],
  ];

  it.each(accepted)('accepts %s on both apps', async (_, make) => {
    const token = await make();
    for (const { app, url } of routes())
      expect((await app.inject({ method: 'GET', url, headers: bearer(token) })).statusCode).toBe(200);
  });

  const refused: Array<[string, () => Promise<string>]> = [
    ['expired', () => jwks.sign('RS256', claims, -120)],
    ['from another issuer', () => jwks.sign('ES256', { ...claims, iss: 'https://evil.test' })],
    ['without an issuer', () => hs256(user, { audience: AUDIENCE })],
    ['for another audience', () => jwks.sign('RS256', { ...claims, aud: 'other-api' })],
    ['with alg none', async () => unsecured(user)],
    [
      'with a tampered payload',
      async () => {
        const [h, , s] = (await jwks.sign('RS256', claims)).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin', exp: 9999999999 })).toString('base64url')}.${s}`;
      },
    ],
    [
      'signed by a key the JWKS does not have',
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT(claims)
          .setProtectedHeader({ alg: 'ES256', kid: 'test-ES256' })
          .setExpirationTime('1h')
          .sign(privateKey);
      },
    ],
    [
      'HS256 with the wrong secret',
      () => hs256(user, { issuer: ISSUER, audience: AUDIENCE, secret: 'wrong-secret-but-long-enough' }),
    ],
    ['whose sub is not a user id', () => jwks.sign('RS256', { ...claims, sub: 'alice\nbob' })],
    ['whose sub is an operator', () => jwks.sign('RS256', { ...claims, sub: { $ne: null } as unknown as string })],
  ];

  it.each(refused)('refuses a token %s with 401 on both apps', async (_, make) => {
    const token = await make();
    for (const { app, url } of routes()) {
      const res = await app.inject({ method: 'GET', url, headers: bearer(token) });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'invalid or expired token' });
    }
  });

  it('refuses a bad token on the SSE stream too (query parameter)', async () => {
    const url = `${await apps.notifications.getUrl()}/api/v1/notifications/stream?access_token=${unsecured(user)}`;
    const sse = await openSse(url);
    sse.close();
    expect(sse.status).toBe(401);
  });

  it('reads the JWKS once for many requests (jose cache)', async () => {
    const before = jwks.hits();
    const token = await jwks.sign('RS256', claims);
    for (let i = 0; i < 10; i++)
      await apps.messages.inject({ method: 'GET', url: '/api/v1/conversations', headers: bearer(token) });
    expect(jwks.hits() - before).toBeLessThanOrEqual(1);
  });
});
