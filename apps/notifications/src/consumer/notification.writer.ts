import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { Limits, MessageCreatedEvent, Topics } from '@herald/contracts';
import { isDuplicateKeyError } from '@herald/mongo';
import { Notification, NotificationDocument } from '../inbox/notification.schema';

/** The notifications one `message.created` event yields: one per recipient, none for the sender. */
export function notificationsFor(event: MessageCreatedEvent, storedAt = new Date()): Notification[] {
  const { data } = event;
  const recipients = [...new Set(data.recipientIds)].filter((r) => r !== data.senderId);
  return recipients.map((recipientId) => ({
    recipientId,
    type: Topics.MessageCreated,
    eventId: event.eventId,
    messageId: data.messageId,
    conversationId: data.conversationId,
    senderId: data.senderId,
    preview: [...data.body].slice(0, Limits.previewLength).join(''),
    createdAt: data.createdAt,
    storedAt,
    seenAt: null,
    readAt: null,
    archivedAt: null,
  }));
}

/**
 * Stores the notifications of an event idempotently: an unordered insert where a duplicate-key
 * error on the unique `(eventId, recipientId)` index means "already stored" (a redelivery), not a
 * failure. Any other error is thrown for the caller to classify (transient → retry, else DLQ).
 */
@Injectable()
export class NotificationWriter {
  private indexes?: Promise<void>;

  constructor(@InjectModel(Notification.name) private readonly notifications: Model<Notification>) {}

  /**
   * @returns the notifications this call inserted (already-stored ones are left out)
   * @throws the index build's error until the unique index exists (see {@link ensureIndexes})
   */
  async store(event: MessageCreatedEvent): Promise<NotificationDocument[]> {
    const docs = notificationsFor(event);
    if (docs.length === 0) return [];
    await this.ensureIndexes();
    try {
      return await this.notifications.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const inserted = (err as { insertedDocs?: NotificationDocument[] }).insertedDocs ?? [];
      return inserted;
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
