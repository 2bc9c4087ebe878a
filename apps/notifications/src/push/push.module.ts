import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { NotificationBroadcastConsumer } from './notification-broadcast.consumer';
import { NotificationPushPublisher } from './notification-push.publisher';
import { NotificationStreamController } from './notification-stream.controller';
import { PushHub } from './push-hub';
import { UnreadCountPusher } from './unread-count.pusher';

/**
 * Real-time push: publishing `notification.created` after a store, the per-instance broadcast
 * consumer of that topic, and the SSE endpoint that streams it to connected users.
 */
@Module({
  imports: [InboxModule],
  controllers: [NotificationStreamController],
  providers: [NotificationPushPublisher, NotificationBroadcastConsumer, PushHub, UnreadCountPusher],
  exports: [NotificationPushPublisher, PushHub],
})
export class PushModule {}
