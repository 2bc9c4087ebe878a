import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
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
  constructor(@InjectModel(Notification.name) private readonly notifications: Model<Notification>) {}

  /** @returns the notifications this call inserted (already-stored ones are left out) */
  async store(event: MessageCreatedEvent): Promise<NotificationDocument[]> {
    const docs = notificationsFor(event);
    if (docs.length === 0) return [];
    try {
      return await this.notifications.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const inserted = (err as { insertedDocs?: NotificationDocument[] }).insertedDocs ?? [];
      return inserted;
    }
  }
}
