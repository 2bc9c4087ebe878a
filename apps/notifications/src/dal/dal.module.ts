import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DigestFold, DigestFoldSchema } from './digest-folds/digest-fold.schema';
import { InboxBuckets, InboxBucketsSchema } from './inbox-buckets/inbox-bucket.schema';
import { NotificationRepository } from './notifications/notification.repository';
import { Notification, NotificationSchema } from './notifications/notification.schema';
import { PreferenceRepository } from './preferences/preference.repository';
import { Preference, PreferenceSchema } from './preferences/preference.schema';
import {
  PushInstance,
  PushInstanceSchema,
  PushPresence,
  PushPresenceSchema,
} from './push-presence/push-presence.schema';

/**
 * The notifications app's data-access layer: every collection's schema and indexes in one place,
 * registered once. Features (inbox, consumer, preferences, push) import this module for the
 * collections they use; none of them exports another's models.
 *
 * | collection | schema | used by |
 * | --- | --- | --- |
 * | `notifications` | {@link Notification} | {@link NotificationRepository} (inbox reads, PATCH, read-all), inbox retention, consumer (insert, digest fold) |
 * | `inbox_buckets` | {@link InboxBuckets} | inbox (hour directory) |
 * | `digest_folds` | {@link DigestFold} | consumer (fold markers) |
 * | `preferences` | {@link Preference} | {@link PreferenceRepository} (preferences API, consumer) |
 * | `push_presence`, `push_instances` | {@link PushPresence}, {@link PushInstance} | push (connection cap) |
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Notification.name, schema: NotificationSchema },
      { name: InboxBuckets.name, schema: InboxBucketsSchema },
      { name: DigestFold.name, schema: DigestFoldSchema },
      { name: Preference.name, schema: PreferenceSchema },
      { name: PushPresence.name, schema: PushPresenceSchema },
      { name: PushInstance.name, schema: PushInstanceSchema },
    ]),
  ],
  providers: [NotificationRepository, PreferenceRepository],
  exports: [MongooseModule, NotificationRepository, PreferenceRepository],
})
export class NotificationsDalModule {}
