import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { validateEnvironment } from './validate-environment';

/** Loads and validates the configuration: `process.env` overlaid with `overrides` (tests). */
export function loadConfig(overrides: Record<string, string | undefined> = {}): AppConfig {
  return new AppConfig(validateEnvironment({ ...process.env, ...overrides }));
}

/**
 * Global module providing {@link AppConfig}, validated once by {@link loadConfig} before the app
 * is created; an invalid variable stops start-up with an error naming it.
 */
@Global()
@Module({})
export class HeraldConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: HeraldConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
