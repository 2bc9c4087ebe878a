import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Subscription } from 'rxjs';
import { InboxChangedEvent, Topics } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { InboxEvents } from '../inbox/inbox-events';
import { NotificationBroadcastConsumer, ORIGIN_HEADER } from './notification-broadcast.consumer';
import { PUSH_CONNECT_TIMEOUT_MS } from './notification-push.publisher';

/** Maps a changed user id to its `inbox.changed` v1 event. Pure. */
export function toInboxChangedEvent(userId: string, at = new Date()): InboxChangedEvent {
  return {
    eventId: randomUUID(),
    type: Topics.InboxChanged,
    version: InboxChangedEvent.version,
    occurredAt: at,
    data: { userId },
  };
}

/**
 * Makes an unread count change reach every instance: after a PATCH or read-all here
 * (`InboxEvents.stateChanged$`), publishes `inbox.changed` (key = userId, header
 * {@link ORIGIN_HEADER} = this instance's broadcast group), which every other instance's broadcast
 * consumer turns into a recount pushed to that user's streams and sockets (this instance's own
 * clients got theirs from UnreadCountPusher at once). Best effort like the notification push: a
 * failed send is logged; the client's next count (any push, a reconnect, or GET /count) is right.
 * Sent through the app's one {@link EventPublisher}, like the notification push.
 */
@Injectable()
export class InboxChangePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboxChangePublisher.name);
  private subscription?: Subscription;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly events: InboxEvents,
    private readonly broadcast: NotificationBroadcastConsumer,
  ) {}

  /** Publishes every change made through this instance's API from now on. */
  onApplicationBootstrap(): void {
    this.subscription = this.events.stateChanged$.subscribe((userId) => void this.publish(userId));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** Publishes one `inbox.changed` for `userId` (waits at most {@link PUSH_CONNECT_TIMEOUT_MS} to connect). Never rejects. */
  async publish(userId: string): Promise<void> {
    await this.publisher
      .publish(
        Topics.InboxChanged,
        { key: userId, value: toInboxChangedEvent(userId), headers: { [ORIGIN_HEADER]: this.broadcast.groupId } },
        PUSH_CONNECT_TIMEOUT_MS,
      )
      .catch((err: Error) => this.logger.warn(`inbox.changed for ${userId} failed: ${err.message}`));
  }
}
