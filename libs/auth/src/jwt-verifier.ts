import { createRemoteJWKSet, errors, JWTPayload, JWTVerifyGetKey, jwtVerify } from 'jose';
import { webcrypto } from 'node:crypto';
import { AppConfig } from '@herald/config';

/** What {@link JwtVerifier} accepts. */
export interface JwtVerifierOptions {
  /** HS256 shared secret; undefined turns HS256 off. */
  secret?: string;
  /** JWKS URL for asymmetric tokens; undefined turns them off. */
  jwksUri?: string;
  /** Asymmetric algorithms accepted with the JWKS, e.g. `['RS256', 'ES256']`. */
  jwksAlgorithms: string[];
  /** Required `iss`, when set. */
  issuer?: string;
  /** Accepted `aud` values; empty = not checked. */
  audiences: string[];
  /** Clock skew allowed on `exp` / `nbf`, in seconds. */
  clockToleranceSeconds: number;
  /** JWKS fetch timeout (ms); jose's default is 5000. */
  jwksTimeoutMs?: number;
}

/** The verifier options of the app's configuration (JWT_* variables). */
export function verifierOptions(config: AppConfig): JwtVerifierOptions {
  return {
    secret: config.jwtSecret,
    jwksUri: config.env.JWT_JWKS_URI,
    jwksAlgorithms: config.env.JWT_JWKS_ALGORITHMS.split(','),
    issuer: config.env.JWT_ISSUER,
    audiences: config.jwtAudiences,
    clockToleranceSeconds: config.env.JWT_CLOCK_TOLERANCE_SECONDS,
  };
}

/**
 * Verifies JWS-compact JWTs (RFC 7515 / RFC 7519) with `jose`, following RFC 8725 (JWT Best
 * Current Practices):
 *
 * - an explicit algorithm allow-list (§3.1): HS256 only with the configured secret, the
 *   configured asymmetric algorithms only with keys from the JWKS (RFC 7517). `alg: none` and any
 *   other algorithm are refused, and the key type follows the algorithm, so an HS256 token can
 *   never be checked against a public key (the classic algorithm-confusion attack);
 * - `exp` is required and checked, `nbf` checked when present (RFC 7519 §4.1.4–5);
 * - `iss` / `aud` checked when configured (§3.8–3.9);
 * - JWKS keys are chosen by `kid`, fetched on demand, cached, and re-fetched at most every 30 s
 *   for an unknown `kid` (jose `createRemoteJWKSet`), so rotating keys at the provider just works.
 */
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  /** The secret imported once as an HMAC-SHA-256 `CryptoKey` (jose would import raw bytes on every call). */
  private hmacKey?: Promise<webcrypto.CryptoKey>;
  private readonly jwks?: JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(private readonly options: JwtVerifierOptions) {
    this.secret = options.secret === undefined ? undefined : new TextEncoder().encode(options.secret);
    this.jwks = options.jwksUri
      ? createRemoteJWKSet(new URL(options.jwksUri), { timeoutDuration: options.jwksTimeoutMs ?? 5000 })
      : undefined;
    this.algorithms = [...(this.secret ? ['HS256'] : []), ...(this.jwks ? options.jwksAlgorithms : [])];
  }

  /** True when at least one way of verifying is configured. */
  get enabled(): boolean {
    return this.algorithms.length > 0;
  }

  /**
   * @returns the verified claims
   * @throws a jose `JOSEError` (expired, bad signature, wrong issuer/audience, algorithm not
   *   allowed, malformed, JWKS unreachable...) — callers answer 401 whatever the reason
   */
  async verify(token: string): Promise<JWTPayload> {
    if (!this.enabled) throw new errors.JOSENotSupported('no JWT verification method is configured');
    const { payload } = await jwtVerify(token, this.keyFor, {
      algorithms: this.algorithms,
      issuer: this.options.issuer,
      audience: this.options.audiences.length > 0 ? this.options.audiences : undefined,
      clockTolerance: this.options.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
    });
    return payload;
  }

  /** The key for a token's header: the secret for HS256, else the JWKS key its `kid` names. */
  private readonly keyFor: JWTVerifyGetKey = (header, jws) => {
    if (header.alg === 'HS256') {
      if (!this.secret) throw new errors.JOSEAlgNotAllowed('HS256 is not enabled');
      this.hmacKey ??= webcrypto.subtle.importKey('raw', this.secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'verify',
      ]);
      return this.hmacKey;
    }
    if (!this.jwks) throw new errors.JOSEAlgNotAllowed(`${String(header.alg)} is not enabled`);
    return this.jwks(header, jws);
  };
}
