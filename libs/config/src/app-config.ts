import { Environment } from './environment';

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

  get jwtSecret(): string {
    return this.env.JWT_SECRET ?? DEV_JWT_SECRET;
  }

  /** Dev token issuance: on by default outside production, always off in production. */
  get devTokensEnabled(): boolean {
    return !this.isProduction && (this.env.AUTH_DEV_TOKENS ?? true);
  }
}
