import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { InboxModule } from '../inbox/inbox.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { PushModule } from '../push/push.module';
import { DigestFold, DigestFoldSchema } from './digest-fold.schema';
import { DigestFoldRetention } from './digest-fold.retention';
import { MessageCreatedConsumer } from './message-created.consumer';
import { NotificationWriter } from './notification.writer';

/** Kafka → MongoDB: the `message.created` handler, its idempotent writer (preferences, digests and their fold markers) and the DLQ path. */
@Module({
  imports: [InboxModule, PushModule, PreferencesModule, MongooseModule.forFeature([{ name: DigestFold.name, schema: DigestFoldSchema }])],
  controllers: [MessageCreatedConsumer],
  providers: [NotificationWriter, DigestFoldRetention],
})
export class ConsumerModule {}
