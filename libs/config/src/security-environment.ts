import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { toBool, toInt } from './parsers';

/** Kafka SASL mechanisms kafkajs 2.x implements (besides AWS IAM / OAuth bearer, not offered here). */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** One browser origin (RFC 6454): scheme, host, optional port; no path, no wildcard. */
export const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * The security-related variables of {@link Environment} (it extends this class): token
 * verification, rate limits, browser-facing headers and the transport security of Kafka and
 * MongoDB. Rules that span several variables (e.g. a SASL mechanism needs a user name) are checked
 * by `securityProblems` after the per-variable rules below.
 */
export abstract class SecurityEnvironment {
  /**
   * JWKS endpoint of an identity provider (RFC 7517): RS256 / ES256 tokens are verified with its
   * keys (fetched on demand and cached). `https://` in production.
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'JWT_JWKS_URI must be an http(s) URL' })
  JWT_JWKS_URI?: string;

  /** Asymmetric algorithms accepted from the JWKS (comma list). Never `none`, never HS*. */
  @Matches(
    /^(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA)(,(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA))*$/,
    {
      message: 'JWT_JWKS_ALGORITHMS must be a comma list of RS*/PS*/ES*/EdDSA algorithms',
    },
  )
  JWT_JWKS_ALGORITHMS = 'RS256,ES256';

  /** Required `iss` claim (RFC 7519 §4.1.1) of every token, when set; dev tokens carry it. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  JWT_ISSUER?: string;

  /** Required `aud` claim (RFC 7519 §4.1.3), comma list of accepted values, when set. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  JWT_AUDIENCE?: string;

  /** Accepted clock skew for `exp` / `nbf` / `iat`, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  JWT_CLOCK_TOLERANCE_SECONDS = 5;

  /** Rate limiting of `/api/v1` routes (429 + Retry-After). Benchmarks turn it off. */
  @Transform(toBool)
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  /** Requests per minute per authenticated user (JWT `sub`). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Requests per minute per client IP (authenticated or not). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_IP_PER_MINUTE = 1200;

  /**
   * Where the rate-limit counters live: `mongodb` (the app's database, collection `rate_limits`:
   * every instance of a deployment counts against one budget per user and per IP) or `memory`
   * (each instance counts alone: N instances allow N × the limit).
   */
  @IsIn(['mongodb', 'memory'], { message: 'RATE_LIMIT_STORE must be mongodb or memory' })
  RATE_LIMIT_STORE: 'mongodb' | 'memory' = 'mongodb';

  /** Browser origins allowed by CORS, comma list (e.g. `https://app.example.com`). Empty: none. */
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /**
   * Which proxies' `X-Forwarded-For` is believed for the client IP (rate limits, logs): `false`
   * (default, the socket address), `true` (any: only behind a proxy that overwrites the header),
   * a hop count, or a comma list of proxy IPs/CIDRs (Fastify `trustProxy`).
   */
  @Matches(/^(true|false|\d{1,2}|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$/, {
    message: 'HTTP_TRUST_PROXY must be true, false, a hop count or a comma list of IPs/CIDRs',
  })
  HTTP_TRUST_PROXY = 'false';

  /** TLS to the Kafka brokers. */
  @Transform(toBool)
  @IsBoolean()
  KAFKA_SSL = false;

  /** PEM file of the CA that signed the brokers' certificates (default: Node's trusted CAs). */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE?: string;

  /** PEM client certificate for mutual TLS (with KAFKA_SSL_KEY_FILE). */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CERT_FILE?: string;

  /** PEM private key of KAFKA_SSL_CERT_FILE. */
  @IsOptional()
  @IsString()
  KAFKA_SSL_KEY_FILE?: string;

  /** Verify the brokers' certificates (refused `false` in production). */
  @Transform(toBool)
  @IsBoolean()
  KAFKA_SSL_REJECT_UNAUTHORIZED = true;

  /** SASL mechanism: `plain`, `scram-sha-256` or `scram-sha-512` (needs user name and password). */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn([...KAFKA_SASL_MECHANISMS])
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;

  /** SASL user name (or KAFKA_SASL_USERNAME_FILE). */
  @IsOptional()
  @IsString()
  KAFKA_SASL_USERNAME?: string;

  /** SASL password (or KAFKA_SASL_PASSWORD_FILE, e.g. a Docker secret). */
  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD?: string;

  /** TLS to MongoDB (same as `tls=true` in the URI). Credentials go in MONGODB_URI (or MONGODB_URI_FILE). */
  @Transform(toBool)
  @IsBoolean()
  MONGODB_TLS = false;

  /** PEM file of the CA that signed the MongoDB server certificate. */
  @IsOptional()
  @IsString()
  MONGODB_TLS_CA_FILE?: string;

  /** PEM file with the client certificate and its key (x.509 authentication / mutual TLS). */
  @IsOptional()
  @IsString()
  MONGODB_TLS_CERT_KEY_FILE?: string;

  /** Accept invalid server certificates (refused in production). */
  @Transform(toBool)
  @IsBoolean()
  MONGODB_TLS_ALLOW_INVALID_CERTIFICATES = false;
}
