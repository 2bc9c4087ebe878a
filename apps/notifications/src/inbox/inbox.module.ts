import { Module } from '@nestjs/common';
import { NotificationsDalModule } from '../dal/dal.module';
import { InboxBucketDirectory } from './inbox-bucket.directory';
import { InboxEvents } from './inbox-events';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { NotificationRetention } from './notification-retention';

/** The inbox HTTP API over the `notifications` collection and its hour directory `inbox_buckets`. */
@Module({
  imports: [NotificationsDalModule],
  controllers: [InboxController],
  providers: [InboxService, InboxEvents, NotificationRetention, InboxBucketDirectory],
  exports: [InboxService, InboxEvents, NotificationRetention, InboxBucketDirectory],
})
export class InboxModule {}
