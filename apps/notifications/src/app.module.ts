import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '@herald/auth';
import { HeraldConfigModule } from '@herald/config';
import { MongoModule } from '@herald/mongo';
import { ConsumerModule } from './consumer/consumer.module';
import { InboxModule } from './inbox/inbox.module';
import { PushModule } from './push/push.module';

/** Root module of the notifications app: Kafka → MongoDB → HTTP. */
@Module({})
export class NotificationsAppModule {
  /** @param env configuration overrides (tests); everything else comes from `process.env`. */
  static forRoot(env: Record<string, string | undefined> = {}): DynamicModule {
    return {
      module: NotificationsAppModule,
      imports: [HeraldConfigModule.forRoot(env), MongoModule, AuthModule, InboxModule, ConsumerModule, PushModule],
    };
  }
}
