import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { PushModule } from '../push/push.module';
import { MessageCreatedConsumer } from './message-created.consumer';
import { NotificationWriter } from './notification.writer';

/** Kafka → MongoDB: the `message.created` handler, its idempotent writer and the DLQ path. */
@Module({
  imports: [InboxModule, PushModule, PreferencesModule],
  controllers: [MessageCreatedConsumer],
  providers: [NotificationWriter],
})
export class ConsumerModule {}
