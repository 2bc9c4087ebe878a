import { getConfigToken } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/** Environment-like input: variable name → raw string (`process.env` overlaid with overrides). */
export type RawEnvironment = Record<string, unknown>;

/** A class whose `UPPER_SNAKE` fields are variables: class-validator rules, defaults as initialisers. */
export type SettingsSchema<T extends object> = new () => T;

/**
 * A per-app configuration namespace (`@nestjs/config`'s `registerAs`): the variables only one app
 * reads, declared by a settings class in that app (e.g. `MessagesSettings`), validated with the
 * shared ones by `loadConfig` and injected with `@Inject(namespace.KEY)`.
 */
export interface SettingsNamespace<T extends object> {
  /** Namespace name, e.g. `messages` (`ConfigService.get('messages.INGEST_BATCH_MAX')` works too). */
  readonly name: string;
  /** The settings class. */
  readonly schema: SettingsSchema<T>;
  /** Injection token of the validated values: `getConfigToken(name)`, the `KEY` of a `registerAs` factory. */
  readonly KEY: string;
}

/** Declares the namespace `name` of the variables `schema` declares. */
export function defineSettings<T extends object>(name: string, schema: SettingsSchema<T>): SettingsNamespace<T> {
  return { name, schema, KEY: getConfigToken(name) };
}

/**
 * Reads the variables `schema` declares from `raw` (empty strings count as unset, defaults fill the
 * rest; every other variable is left out) and checks their rules.
 *
 * @returns the typed values and one `NAME: reason` line per broken rule (none when valid)
 */
export function parseSettings<T extends object>(
  schema: SettingsSchema<T>,
  raw: RawEnvironment,
): { value: T; problems: string[] } {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const value = plainToInstance(schema, defined, { exposeDefaultValues: true });
  // whitelist: only the declared variables stay on the instance (not the rest of process.env)
  const problems = validateSync(value, { skipMissingProperties: false, whitelist: true }).flatMap(describe);
  return { value, problems };
}

/** `NAME: reason`, one per broken rule of one variable (variables are flat: no nested errors). */
const describe = (e: ValidationError): string[] =>
  Object.values(e.constraints ?? {}).map((reason) => `${e.property}: ${reason}`);
