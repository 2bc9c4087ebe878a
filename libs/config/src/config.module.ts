import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { validateEnvironment } from './environment';

/**
 * Global module providing {@link AppConfig}. The environment is validated when the module is
 * created; an invalid variable stops start-up with an error naming it.
 */
@Global()
@Module({})
export class HeraldConfigModule {
  /** @param overrides values that win over `process.env` (tests use this). */
  static forRoot(overrides: Record<string, string | undefined> = {}): DynamicModule {
    const config = new AppConfig(validateEnvironment({ ...process.env, ...overrides }));
    return {
      module: HeraldConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
