import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NotificationCreatedEvent, NotificationUpdatedEvent, Topics } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import type { FoldedNotification } from '../consumer/notification.writer';
import { Notification } from '../dal/notifications/notification.schema';

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

/** Maps a notification a message was folded into (digest) to its `notification.updated` v1 event. Pure apart from the id. */
export function toNotificationUpdatedEvent(doc: FoldedNotification, at = new Date()): NotificationUpdatedEvent {
  return {
    eventId: randomUUID(),
    type: NotificationUpdatedEvent.type,
    version: NotificationUpdatedEvent.version,
    occurredAt: at,
    data: {
      id: doc._id.toHexString(),
      recipientId: doc.recipientId,
      conversationId: doc.conversationId,
      count: doc.count,
      senderIds: doc.senderIds,
      preview: doc.preview,
      lastMessageAt: doc.lastMessageAt,
    },
  };
}

/** Push sends a consumer may have unacknowledged before it waits for one (per app instance). */
export const MAX_PUSHES_IN_FLIGHT = 4;
/** Longest shutdown waits for push sends still in flight, in ms. */
export const PUSH_SHUTDOWN_WAIT_MS = 5_000;
/** How long a push waits for the producer to connect before it is given up (logged), in ms. */
export const PUSH_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Publishes `notification.created` (key = recipientId) for freshly stored notifications, after they
 * are stored, so a client that receives a push can always GET the notification. Push is best
 * effort (at most once across a crash, see docs/guarantees.md): a failure is logged and the inbox
 * stays correct (clients re-sync with GET or `Last-Event-ID`).
 *
 * Because it is best effort, the consumer does not wait for the broker's acknowledgement before it
 * commits and takes its next batch: {@link publish} returns once the send is started, with at most
 * {@link MAX_PUSHES_IN_FLIGHT} sends outstanding (it waits for the oldest beyond that, so a slow
 * broker slows the consumer down instead of piling up memory). Outstanding sends are queued, not
 * concurrent: {@link EventPublisher} runs its producer calls one at a time, in call order. So the
 * pushes of one recipient (one key, one partition) stay in order.
 *
 * Sent through the app's one {@link EventPublisher} (Nest `ClientKafka`, `acks: -1`), like every event
 * Herald publishes; only a dead letter goes out on the consumer transport's own producer, next to the
 * record it replaces (libs/kafka `publishDeadLetter`).
 */
@Injectable()
export class NotificationPushPublisher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationPushPublisher.name);
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly events: EventPublisher) {}

  /**
   * Starts the push of `docs` (`notification.created`) and `updated` (`notification.updated`, on
   * the same topic and key, so one recipient's pushes keep their order); resolves when fewer than
   * {@link MAX_PUSHES_IN_FLIGHT} sends are outstanding. Never rejects.
   */
  async publish(docs: readonly PushableNotification[], updated: readonly FoldedNotification[] = []): Promise<void> {
    if (docs.length === 0 && updated.length === 0) return;
    const records = [
      ...docs.map((d) => ({ key: d.recipientId, value: toNotificationCreatedEvent(d) })),
      ...updated.map((d) => ({ key: d.recipientId, value: toNotificationUpdatedEvent(d) })),
    ];
    const sent: Promise<void> = this.events
      .publishBatch(Topics.NotificationCreated, records, PUSH_CONNECT_TIMEOUT_MS)
      .then(
        () => undefined,
        (err: Error) =>
          this.logger.warn(
            `push of ${docs.length} created / ${updated.length} updated notification(s) failed: ${err.message}`,
          ),
      )
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
    while (this.inFlight.size >= MAX_PUSHES_IN_FLIGHT) await Promise.race(this.inFlight);
  }

  /** Lets sends in flight finish (at most {@link PUSH_SHUTDOWN_WAIT_MS}) before the producer closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.inFlight.size === 0) return;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((r) => setTimeout(r, PUSH_SHUTDOWN_WAIT_MS).unref()),
    ]);
  }
}
