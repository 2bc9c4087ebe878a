import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { InboxChangePublisher } from './inbox-change.publisher';
import { NotificationBroadcastConsumer } from './notification-broadcast.consumer';
import { NotificationGateway } from './notification.gateway';
import { NotificationPushPublisher } from './notification-push.publisher';
import { NotificationStreamController } from './notification-stream.controller';
import { PushHub } from './push-hub';
import { UnreadCountPusher } from './unread-count.pusher';

/**
 * Real-time push: publishing `notification.created` after a store and `inbox.changed` after a
 * PATCH / read-all, the per-instance broadcast consumer of both topics, and the two transports fed
 * by one PushHub: the SSE endpoint and the Socket.IO gateway.
 */
@Module({
  imports: [InboxModule],
  controllers: [NotificationStreamController],
  providers: [NotificationPushPublisher, NotificationBroadcastConsumer, InboxChangePublisher, PushHub, UnreadCountPusher, NotificationGateway],
  exports: [NotificationPushPublisher, PushHub],
})
export class PushModule {}
