import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo, Types } from 'mongoose';
import { Limits, MessageCreatedEvent, Topics } from '@herald/contracts';
import { isDuplicateKeyError, writeErrorsByIndex } from '@herald/mongo';
import { bucketKey, hourOf } from '../inbox/inbox-bucket';
import { InboxBucketDirectory } from '../inbox/inbox-bucket.directory';
import { Notification } from '../inbox/notification.schema';

/** A notification as written to MongoDB, with its `_id`. */
export type StoredNotification = Notification & { _id: Types.ObjectId };

/**
 * The notifications one `message.created` event yields: one per recipient, none for the sender,
 * each with a fresh `_id` whose timestamp is `storedAt`'s second, and its hour `bucket`
 * (inbox-bucket.ts). ObjectIds made in one process increase (timestamp, then counter), so
 * notifications made in event order sort by `_id` in event order. Pure apart from the ids.
 */
export function notificationsFor(event: MessageCreatedEvent, storedAt = new Date()): StoredNotification[] {
  const { data } = event;
  const recipients = [...new Set(data.recipientIds)].filter((r) => r !== data.senderId);
  const preview = [...data.body].slice(0, Limits.previewLength).join('');
  return recipients.map((recipientId) => {
    const _id = new Types.ObjectId(Math.floor(storedAt.getTime() / 1000));
    return {
      _id,
      recipientId,
      type: Topics.MessageCreated,
      eventId: event.eventId,
      messageId: data.messageId,
      conversationId: data.conversationId,
      senderId: data.senderId,
      preview,
      createdAt: data.createdAt,
      storedAt,
      seenAt: null,
      readAt: null,
      archivedAt: null,
      seen: false,
      read: false,
      archived: false,
      bucket: bucketKey(hourOf(_id), recipientId),
    };
  });
}

/**
 * Stores the notifications of events idempotently, with one unordered `insertMany` (the MongoDB
 * driver's, not mongoose's: the documents are built complete by {@link notificationsFor}, so
 * mongoose's per-document casting, validation and hydration are skipped). A duplicate-key error
 * (code 11000) on the unique `(eventId, recipientId)` index means "already stored" (a redelivery),
 * not a failure; with `ordered: false` every other document is still inserted (MongoDB manual,
 * `db.collection.insertMany()`, "Unordered Inserts"). Any other error is thrown for the caller to
 * classify (transient → retry, else DLQ).
 */
@Injectable()
export class NotificationWriter {
  private indexes?: Promise<void>;

  constructor(
    @InjectModel(Notification.name) private readonly notifications: Model<Notification>,
    private readonly buckets: InboxBucketDirectory,
  ) {}

  /**
   * @param events validated `message.created` events, in partition order
   * @returns the notifications this call inserted, in event order (already-stored ones left out)
   * @throws the index build's error until the unique index exists (see {@link ensureIndexes}), or
   *   the insert's error unless every write error was a duplicate key
   */
  async store(events: readonly MessageCreatedEvent[]): Promise<StoredNotification[]> {
    const storedAt = new Date();
    const docs = events.flatMap((event) => notificationsFor(event, storedAt));
    if (docs.length === 0) return [];
    await this.ensureIndexes();
    await this.buckets.record(docs);
    try {
      await this.notifications.collection.insertMany(docs, { ordered: false });
      return docs;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const duplicates = writeErrorsByIndex(err);
      return docs.filter((_, i) => !duplicates.has(i));
    }
  }

  /**
   * Builds the schema's unique indexes — `(eventId, recipientId)` — before the first insert, and
   * again after a failed attempt (an index that already exists is left as it is). Nest creates
   * models without waiting for mongoose's background index build (`autoIndex`), so the consumer may
   * insert first on a new database, and mongoose does not retry a build that failed at start-up
   * (server unavailable). Without the index a redelivered event could be stored twice.
   */
  private ensureIndexes(): Promise<void> {
    const unique = this.notifications.schema.indexes().filter(([, options]) => options?.unique);
    const build = ([fields, options]: (typeof unique)[number]) =>
      this.notifications.collection.createIndex(fields as mongo.IndexSpecification, options as mongo.CreateIndexesOptions);
    this.indexes ??= Promise.all(unique.map(build))
      .then(() => undefined)
      .catch((err: unknown) => {
        this.indexes = undefined;
        throw err;
      });
    return this.indexes;
  }
}
