import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@herald/auth';
import { AppConfig, HeraldConfigModule } from '@herald/config';
import { RateLimitModule } from '@herald/http';
import { MongoModule } from '@herald/mongo';
import { ObservabilityModule } from '@herald/observability';
import { ConsumerModule } from './consumer/consumer.module';
import { InboxModule } from './inbox/inbox.module';
import { PreferencesModule } from './preferences/preferences.module';
import { InboxPageModule } from './inbox-page/inbox-page.module';
import { PushModule } from './push/push.module';

/** Root module of the notifications app: Kafka → MongoDB → HTTP. */
@Module({})
export class NotificationsAppModule {
  /** @param config the validated configuration (see `loadConfig`). */
  static forRoot(config: AppConfig): DynamicModule {
    // RateLimitModule before AuthModule: its global guard runs first, so the per-IP limit also
    // covers requests without a valid token (test/e2e/http-security.e2e-spec.ts checks it).
    return {
      module: NotificationsAppModule,
      imports: [
        HeraldConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'notifications', consumer: true }),
        MongoModule,
        RateLimitModule.forRoot(config),
        AuthModule,
        InboxModule,
        PreferencesModule,
        ConsumerModule,
        PushModule,
        InboxPageModule,
      ],
    };
  }
}
