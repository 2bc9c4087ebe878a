import { Module } from '@nestjs/common';
import { NotificationPushPublisher } from './notification-push.publisher';

/** Real-time push: publishing `notification.created` (and, later, streaming it to clients). */
@Module({
  providers: [NotificationPushPublisher],
  exports: [NotificationPushPublisher],
})
export class PushModule {}
