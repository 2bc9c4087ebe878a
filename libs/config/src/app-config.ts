import type { Environment } from './environment';
import { commaList } from './parsers';

/** JWT secret used outside production when JWT_SECRET is unset. Never accepted in production. */
export const DEV_JWT_SECRET = 'herald-dev-only-secret-change-me';

/**
 * Typed, validated configuration shared by both apps. Built once from the environment by
 * {@link HeraldConfigModule}; inject it instead of reading `process.env`.
 */
export class AppConfig {
  constructor(readonly env: Environment) {}

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  /** Kafka bootstrap brokers as `host:port` strings. */
  get kafkaBrokers(): string[] {
    return this.env.KAFKA_BROKERS.split(',').map((b) => b.trim());
  }

  /** HS256 secret: JWT_SECRET, else the dev default outside production; undefined = HS256 off. */
  get jwtSecret(): string | undefined {
    return this.env.JWT_SECRET ?? (this.isProduction ? undefined : DEV_JWT_SECRET);
  }

  /** Accepted `aud` values (JWT_AUDIENCE comma list); empty = not checked. */
  get jwtAudiences(): string[] {
    return commaList(this.env.JWT_AUDIENCE);
  }

  /** CORS allow-list (CORS_ORIGINS); empty = no cross-origin access. */
  get corsOrigins(): string[] {
    return commaList(this.env.CORS_ORIGINS);
  }

  /** Fastify `trustProxy` from HTTP_TRUST_PROXY: boolean, hop count, or list of proxy addresses. */
  get trustProxy(): boolean | number | string[] {
    const v = this.env.HTTP_TRUST_PROXY;
    if (v === 'true' || v === 'false') return v === 'true';
    return /^\d+$/.test(v) ? Number(v) : commaList(v);
  }

  /** Dev token issuance: on by default outside production, always off in production. */
  get devTokensEnabled(): boolean {
    return !this.isProduction && (this.env.AUTH_DEV_TOKENS ?? true);
  }
}
