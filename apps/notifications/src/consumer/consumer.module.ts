import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { PushModule } from '../push/push.module';
import { NotificationsDalModule } from '../dal/dal.module';
import { DigestFoldRetention } from './digest-fold.retention';
import { MessageCreatedConsumer } from './message-created.consumer';
import { NotificationWriter } from './notification.writer';

/** Kafka → MongoDB: the `message.created` handler, its idempotent writer (preferences, digests and their fold markers) and the DLQ path. */
@Module({
  imports: [NotificationsDalModule, InboxModule, PushModule],
  controllers: [MessageCreatedConsumer],
  providers: [NotificationWriter, DigestFoldRetention],
})
export class ConsumerModule {}
