import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { AppConfig } from './app-config';
import { invalidConfiguration, parseEnvironment } from './validate-environment';
import { parseSettings, RawEnvironment, SettingsNamespace } from './settings';

/**
 * Loads and validates the configuration: `process.env` overlaid with `overrides` (tests), the
 * variables both apps read and those of the app's own `namespaces`.
 * @throws Error naming every invalid variable of all of them, e.g. `Invalid configuration: INGEST_BATCH_MAX: ...`
 */
export function loadConfig(
  overrides: RawEnvironment = {},
  namespaces: ReadonlyArray<SettingsNamespace<object>> = [],
): AppConfig {
  const raw = { ...process.env, ...overrides };
  const { env, problems } = parseEnvironment(raw);
  const values = new Map<SettingsNamespace<object>, object>();
  for (const ns of namespaces) {
    const parsed = parseSettings(ns.schema, raw);
    values.set(ns, parsed.value);
    problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw invalidConfiguration(problems);
  return new AppConfig(env, values);
}

/**
 * Global module providing {@link AppConfig}, validated once by {@link loadConfig} before the app
 * is created (an invalid variable stops start-up with an error naming it), and each of the app's
 * namespaces as a `@nestjs/config` `registerAs` configuration: `@Inject(ns.KEY)` gives its values.
 */
@Global()
@Module({})
export class HeraldConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    const load = [...config.namespaces].map(([ns, value]) => registerAs(ns.name, () => value));
    return {
      module: HeraldConfigModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, load })],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
