import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { hs256, JwksServer, startJwksServer, TEST_SECRET, unsecured } from '../../../test/support/jwt';
import { bearerToken } from './jwt-auth.guard';
import { JwtVerifier, JwtVerifierOptions } from './jwt-verifier';

/** RFC 8725 (JWT BCP) cases against a JWKS served on 127.0.0.1 and the HS256 secret. */
describe('JwtVerifier', () => {
  let jwks: JwksServer;
  const base = (o: Partial<JwtVerifierOptions> = {}): JwtVerifier =>
    new JwtVerifier({
      secret: TEST_SECRET,
      jwksUri: jwks.uri,
      jwksAlgorithms: ['RS256', 'ES256'],
      audiences: [],
      clockToleranceSeconds: 5,
      ...o,
    });

  beforeAll(async () => {
    jwks = await startJwksServer();
  });
  afterAll(() => jwks.close());

  it('accepts HS256 with the secret, and RS256 / ES256 signed by a JWKS key', async () => {
    const v = base();
    expect((await v.verify(await hs256('alice'))).sub).toBe('alice');
    expect((await v.verify(await jwks.sign('RS256', { sub: 'bob' }))).sub).toBe('bob');
    expect((await v.verify(await jwks.sign('ES256', { sub: 'carol' }))).sub).toBe('carol');
  });

  it('fetches the key set once and caches it', async () => {
    const v = base();
    const before = jwks.hits();
    for (let i = 0; i < 5; i++) await v.verify(await jwks.sign('RS256', { sub: 'bob' }));
    expect(jwks.hits() - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ['expired', () => hs256('a', { expiresIn: -60 })],
    ['not yet valid (nbf)', () => hs256('a', { notBefore: 600 })],
    ['without exp', () => hs256('a', { expiresIn: null })],
    ['without sub', () => hs256(undefined)],
    ['signed with another secret', () => hs256('a', { secret: 'some-other-secret-of-length' })],
    ['alg none (unsecured JWT)', async () => unsecured('a')],
    [
      'with a tampered payload',
      async () => {
        const [h, , s] = (await hs256('alice')).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', exp: 9999999999 })).toString('base64url')}.${s}`;
      },
    ],
    [
      'with a tampered signature',
      async () => {
        const t = await hs256('alice');
        return t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA');
      },
    ],
    [
      'RS256 signed by a key not in the JWKS',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({ sub: 'a' })
          .setProtectedHeader({ alg: 'RS256', kid: 'test-RS256' })
          .setExpirationTime('1h')
          .sign(privateKey);
      },
    ],
    [
      'an algorithm not on the list (RS384)',
      async () => {
        const { privateKey } = await generateKeyPair('RS384');
        return new SignJWT({ sub: 'a' })
          .setProtectedHeader({ alg: 'RS384', kid: 'test-RS256' })
          .setExpirationTime('1h')
          .sign(privateKey);
      },
    ],
    ['not a JWT at all', async () => 'not.a.jwt'],
    ['two parts only', async () => (await hs256('a')).split('.').slice(0, 2).join('.')],
  ])('refuses a token %s', async (_, make) => {
    await expect(base().verify(await make())).rejects.toThrow();
  });

  it('refuses HS256 made with the RSA public key as secret (algorithm confusion)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const confused = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(pem));
    // Whatever the secret, an HS256 token is only ever checked against JWT_SECRET.
    await expect(base().verify(confused)).rejects.toThrow();
    expect(privateKey).toBeDefined();
  });

  it('checks iss and aud when configured', async () => {
    const v = base({ issuer: 'https://idp.test', audiences: ['herald-api', 'herald-admin'] });
    expect((await v.verify(await hs256('a', { issuer: 'https://idp.test', audience: 'herald-admin' }))).sub).toBe('a');
    expect(
      (await v.verify(await jwks.sign('ES256', { sub: 'a', iss: 'https://idp.test', aud: 'herald-api' }))).sub,
    ).toBe('a');
    await expect(v.verify(await hs256('a', { issuer: 'https://evil.test', audience: 'herald-api' }))).rejects.toThrow(
      /iss/,
    );
    await expect(v.verify(await hs256('a', { issuer: 'https://idp.test', audience: 'other-api' }))).rejects.toThrow(
      /aud/,
    );
    await expect(v.verify(await hs256('a'))).rejects.toThrow();
  });

  it('HS256 only when a secret is configured, asymmetric only with a JWKS', async () => {
    await expect(base({ secret: undefined }).verify(await hs256('a'))).rejects.toThrow();
    await expect(base({ jwksUri: undefined }).verify(await jwks.sign('RS256', { sub: 'a' }))).rejects.toThrow();
    const none = base({ secret: undefined, jwksUri: undefined });
    expect(none.enabled).toBe(false);
    await expect(none.verify(await hs256('a'))).rejects.toThrow();
  });

  it('refuses (does not hang) when the JWKS endpoint is unreachable', async () => {
    const v = base({ jwksUri: 'http://127.0.0.1:9/jwks.json', jwksTimeoutMs: 1000 });
    await expect(v.verify(await jwks.sign('RS256', { sub: 'a' }))).rejects.toThrow();
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer a.b.c', 'a.b.c'],
    ['bearer a.b.c', 'a.b.c'],
    ['BEARER  a.b.c', 'a.b.c'],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    ['Basic YTpi', undefined],
    ['Bearer a.b.c\u0000', undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it('ignores repeated Authorization headers', () => {
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBeUndefined();
  });
});
