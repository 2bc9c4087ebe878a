import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';

/** The JWT secret tests give the apps (test/support/env.ts `appEnv`), for tokens signed by the tests. */
export const TEST_SECRET = 'test-secret-at-least-16-chars';

/** Claims and header overrides for {@link hs256}. */
export interface TokenOptions {
  secret?: string;
  /** Seconds from now; negative = already expired. Omit `exp` with `null`. */
  expiresIn?: number | null;
  issuer?: string;
  audience?: string;
  notBefore?: number;
  extra?: Record<string, unknown>;
}

/** Signs an HS256 token for `sub` with the test secret (or `secret`), valid 1 h by default. */
export async function hs256(sub: string | undefined, o: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...(sub === undefined ? {} : { sub }), ...o.extra })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now);
  if (o.expiresIn !== null) jwt.setExpirationTime(now + (o.expiresIn ?? 3600));
  if (o.issuer) jwt.setIssuer(o.issuer);
  if (o.audience) jwt.setAudience(o.audience);
  if (o.notBefore !== undefined) jwt.setNotBefore(now + o.notBefore);
  return jwt.sign(new TextEncoder().encode(o.secret ?? TEST_SECRET));
}

/** An unsigned token (`alg: none`, RFC 7519 §6), which Herald must refuse. */
export function unsecured(sub: string, expiresIn = 3600): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + expiresIn })}.`;
}

/** A JWKS endpoint on 127.0.0.1 serving freshly generated RS256 and ES256 public keys. */
export interface JwksServer {
  uri: string;
  /** Signs a token with the RS256 or ES256 private key (kid set), `iss`/`aud` as given. */
  sign(alg: 'RS256' | 'ES256', claims: Record<string, unknown>, expiresIn?: number): Promise<string>;
  /** Requests served so far (jose caches the set). */
  hits(): number;
  close(): Promise<void>;
}

/**
 * Starts a JWKS server (RFC 7517 `{"keys": [...]}`) with keys made by jose `generateKeyPair` and
 * published with `exportJWK`, like an identity provider's `jwks_uri`.
 */
export async function startJwksServer(): Promise<JwksServer> {
  const pairs = {
    RS256: await generateKeyPair('RS256'),
    ES256: await generateKeyPair('ES256'),
  };
  const keys: JWK[] = [];
  for (const [alg, pair] of Object.entries(pairs))
    keys.push({ ...(await exportJWK(pair.publicKey)), kid: `test-${alg}`, alg, use: 'sig' });
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/.well-known/jwks.json' ? JSON.stringify({ keys }) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: () => hits,
    sign: (alg, claims, expiresIn = 3600) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg, kid: `test-${alg}`, typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
        .sign(pairs[alg].privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `{ authorization: 'Bearer <token>' }` */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
