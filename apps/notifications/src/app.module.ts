import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@herald/auth';
import { AppConfig, HeraldConfigModule } from '@herald/config';
import { RateLimitModule } from '@herald/http';
import { MongoModule } from '@herald/mongo';
import { ObservabilityModule } from '@herald/observability';
import { ConsumerModule } from './consumer/consumer.module';
import { InboxModule } from './inbox/inbox.module';
import { PushModule } from './push/push.module';

/** Root module of the notifications app: Kafka → MongoDB → HTTP. */
@Module({})
export class NotificationsAppModule {
  /** @param config the validated configuration (see `loadConfig`). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: NotificationsAppModule,
      imports: [
        HeraldConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ app: 'notifications', consumer: true }),
        MongoModule, AuthModule, RateLimitModule.forRoot(config), InboxModule, ConsumerModule, PushModule],
    };
  }
}
