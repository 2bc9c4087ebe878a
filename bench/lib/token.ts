import { createHmac } from 'node:crypto';

const b64url = (v: string | Buffer): string => Buffer.from(v).toString('base64url');

/**
 * Signs an HS256 JWT (RFC 7519) with `sub = userId`, as Herald's TokenService would, so the
 * benchmark needs no Nest context to call the APIs.
 * @param secret the JWT_SECRET given to the apps
 * @param ttlSeconds lifetime (default 2 h, longer than any benchmark)
 */
export function signToken(userId: string, secret: string, ttlSeconds = 7200): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ sub: userId, iat: now, exp: now + ttlSeconds }));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
