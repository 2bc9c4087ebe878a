import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { InboxEvents } from './inbox-events';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { NotificationRetention } from './notification-retention';
import { Notification, NotificationSchema } from './notification.schema';

/** The inbox HTTP API over the `notifications` collection. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Notification.name, schema: NotificationSchema }])],
  controllers: [InboxController],
  providers: [InboxService, InboxEvents, NotificationRetention],
  exports: [InboxService, InboxEvents, NotificationRetention, MongooseModule],
})
export class InboxModule {}
