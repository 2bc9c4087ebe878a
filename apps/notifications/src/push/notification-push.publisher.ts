import { Injectable, Logger } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { NotificationCreatedEvent, Topics } from '@herald/contracts';
import { Notification } from '../inbox/notification.schema';

/** What a push event is made from: a stored notification and its `_id`. */
export type PushableNotification = Notification & { _id: { toHexString(): string } };

/** Maps a stored notification to its `notification.created` v1 event. Pure. */
export function toNotificationCreatedEvent(doc: PushableNotification): NotificationCreatedEvent {
  return {
    eventId: randomUUID(),
    type: Topics.NotificationCreated,
    version: NotificationCreatedEvent.version,
    occurredAt: doc.storedAt,
    data: {
      id: doc._id.toHexString(),
      recipientId: doc.recipientId,
      type: doc.type,
      sourceEventId: doc.eventId,
      messageId: doc.messageId,
      conversationId: doc.conversationId,
      senderId: doc.senderId,
      preview: doc.preview,
      createdAt: doc.createdAt,
    },
  };
}

/**
 * Publishes `notification.created` (key = recipientId) for freshly stored notifications, after they
 * are stored, so a client that receives a push can always GET the notification. Push is best
 * effort: a failure is logged and the inbox stays correct (clients re-sync with GET).
 */
@Injectable()
export class NotificationPushPublisher {
  private readonly logger = new Logger(NotificationPushPublisher.name);

  async publish(producer: Producer, docs: readonly PushableNotification[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      await producer.send({
        topic: Topics.NotificationCreated,
        acks: -1,
        messages: docs.map((d) => ({ key: d.recipientId, value: JSON.stringify(toNotificationCreatedEvent(d)) })),
      });
    } catch (err) {
      this.logger.warn(`notification.created push for ${docs.length} notification(s) failed: ${(err as Error).message}`);
    }
  }
}
