import type { Environment } from './environment';
import { commaList } from './parsers';
import type { SettingsNamespace } from './settings';

/** JWT secret used outside production when JWT_SECRET is unset. Never accepted in production. */
export const DEV_JWT_SECRET = 'herald-dev-only-secret-change-me';

/**
 * Typed, validated configuration: the variables both apps read (`env`) and the app's own namespaces
 * (`settings(ns)`). Built once from the environment by `loadConfig`, provided by
 * `HeraldConfigModule`; inject it (or a namespace's `KEY`) instead of reading `process.env`.
 */
export class AppConfig {
  /**
   * @param env        the shared variables, validated
   * @param namespaces the app's own namespaces with their validated values
   */
  constructor(
    readonly env: Environment,
    readonly namespaces: ReadonlyMap<SettingsNamespace<object>, object> = new Map(),
  ) {}

  /**
   * The validated values of one of the app's namespaces (for code that runs outside DI, e.g.
   * `main.ts`; providers inject `ns.KEY`).
   * @throws Error when the app did not load `ns`
   */
  settings<T extends object>(ns: SettingsNamespace<T>): T {
    const value = this.namespaces.get(ns);
    if (!value) throw new Error(`configuration namespace ${ns.name} was not loaded`);
    return value as T;
  }

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
