import { Module } from '@nestjs/common';
import { KafkaProducerModule } from '@herald/kafka';
import { NotificationsDalModule } from '../dal/dal.module';
import { InboxModule } from '../inbox/inbox.module';
import { ConnectionCap } from './connection-cap';
import { InboxChangePublisher } from './inbox-change.publisher';
import { NotificationBroadcastConsumer } from './notification-broadcast.consumer';
import { NotificationGateway } from './notification.gateway';
import { NotificationPushPublisher } from './notification-push.publisher';
import { NotificationStreamController } from './notification-stream.controller';
import { PushHub } from './push-hub';
import { UnreadCountPusher } from './unread-count.pusher';

/**
 * Real-time push: publishing `notification.created` after a store and `inbox.changed` after a
 * PATCH / read-all (both through `EventPublisher`, {@link KafkaProducerModule}), the per-instance broadcast consumer of both topics, and the two transports fed
 * by one PushHub: the SSE endpoint and the Socket.IO gateway, both under one per-user connection
 * cap across instances (ConnectionCap, collections `push_presence` and `push_instances`).
 */
@Module({
  imports: [KafkaProducerModule, NotificationsDalModule, InboxModule],
  controllers: [NotificationStreamController],
  providers: [
    NotificationPushPublisher,
    NotificationBroadcastConsumer,
    InboxChangePublisher,
    PushHub,
    UnreadCountPusher,
    NotificationGateway,
    ConnectionCap,
  ],
  exports: [NotificationPushPublisher, PushHub],
})
export class PushModule {}
