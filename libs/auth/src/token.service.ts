import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '@herald/config';
import { JwtVerifier, verifierOptions } from './jwt-verifier';
import { Patterns } from '@herald/contracts';

/**
 * User ids Herald accepts as a token's `sub`: 1..128 characters of letters, digits and `_ . @ : -`,
 * the same rule as recipient ids (`Patterns.id` in @herald/contracts). A `sub` outside it could never be a
 * recipient, and separators such as `\n` would break the conversation-id derivation, so such
 * tokens are refused (OWASP Input Validation Cheat Sheet: allow-list validation).
 */
export const USER_ID_PATTERN = Patterns.id;

/** Most verified tokens remembered (see {@link TokenService.verify}). */
export const VERIFIED_TOKENS_MAX = 10_000;
/** Longest a verified token is remembered without checking its signature again, in ms. */
export const VERIFIED_TOKEN_TTL_MS = 60_000;

/**
 * Issues Herald's development tokens (HS256, `JWT_SECRET`, with `iss`/`aud` when configured) and
 * verifies incoming tokens: HS256 with `JWT_SECRET` and/or RS256/ES256 with keys from
 * `JWT_JWKS_URI` (see {@link JwtVerifier}).
 */
@Injectable()
export class TokenService {
  private readonly verifier: JwtVerifier;
  /** token → user id, for tokens whose signature and claims were verified (never for refused ones). */
  private readonly verified = new LRUCache<string, string>({ max: VERIFIED_TOKENS_MAX });

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    this.verifier = new JwtVerifier(verifierOptions(config));
  }

  /**
   * Signs a token for `userId`, valid `JWT_TTL_SECONDS` seconds (RFC 7519).
   * @returns the compact JWS string
   * @throws Error when no HS256 secret is configured (production with JWKS only)
   */
  issue(userId: string): Promise<string> {
    if (!this.config.jwtSecret) return Promise.reject(new Error('no JWT_SECRET: cannot issue HS256 tokens'));
    const aud = this.config.jwtAudiences;
    return this.jwt.signAsync(
      { sub: userId },
      {
        secret: this.config.jwtSecret,
        algorithm: 'HS256',
        expiresIn: this.config.env.JWT_TTL_SECONDS,
        ...(this.config.env.JWT_ISSUER ? { issuer: this.config.env.JWT_ISSUER } : {}),
        ...(aud.length > 0 ? { audience: aud[0] } : {}),
      },
    );
  }

  /**
   * Verifies signature, algorithm, expiry, issuer/audience (when configured) and the `sub` shape.
   *
   * A client sends the same token with every request for its whole lifetime, so a verified token is
   * remembered (LRU, at most {@link VERIFIED_TOKENS_MAX}) until its `exp` or for
   * {@link VERIFIED_TOKEN_TTL_MS}, whichever is sooner: a cached token is never accepted after its
   * `exp` (RFC 7519 §4.1.4; the clock tolerance is not applied to cached entries), and the cache
   * holds only tokens that passed every check, so it can only ever skip work, never accept more.
   * @returns the user id (`sub`)
   * @throws Error when the token is invalid for any reason (callers answer 401 without details)
   */
  async verify(token: string): Promise<string> {
    const known = this.verified.get(token);
    if (known !== undefined) return known;
    const claims = await this.verifier.verify(token);
    if (typeof claims.sub !== 'string' || !USER_ID_PATTERN.test(claims.sub)) {
      throw new Error('token has no valid sub claim');
    }
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, (claims.exp ?? 0) * 1000 - Date.now());
    if (ttl > 0) this.verified.set(token, claims.sub, { ttl });
    return claims.sub;
  }
}
