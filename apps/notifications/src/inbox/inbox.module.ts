import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { InboxBucketDirectory } from './inbox-bucket.directory';
import { InboxBuckets, InboxBucketsSchema } from './inbox-bucket.schema';
import { InboxEvents } from './inbox-events';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { NotificationRetention } from './notification-retention';
import { Notification, NotificationSchema } from './notification.schema';

/** The inbox HTTP API over the `notifications` collection and its hour directory `inbox_buckets`. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Notification.name, schema: NotificationSchema },
      { name: InboxBuckets.name, schema: InboxBucketsSchema },
    ]),
  ],
  controllers: [InboxController],
  providers: [InboxService, InboxEvents, NotificationRetention, InboxBucketDirectory],
  exports: [InboxService, InboxEvents, NotificationRetention, InboxBucketDirectory, MongooseModule],
})
export class InboxModule {}
