import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { InboxEvents } from '../inbox/inbox-events';
import { InboxService } from '../inbox/inbox.service';
import { PushHub } from './push-hub';

/** Least time between two unread counts of one user, in ms (a burst of pushes costs two counts). */
export const UNREAD_COUNT_MIN_INTERVAL_MS = 250;

/**
 * Pushes `unread-count.changed` (`{count, capped}`) to a user's streams and sockets here: after a
 * notification for them was pushed, and after a PATCH or read-all on any instance (here at once,
 * from the other instances through `inbox.changed`; see NotificationBroadcastConsumer).
 *
 * Counts are coalesced per user: while one count runs, further requests for that user only mark it
 * stale, and one more count follows, at least {@link UNREAD_COUNT_MIN_INTERVAL_MS} later. A burst of
 * N notifications thus costs two count queries instead of N, and the last value pushed is always a
 * count taken after the last request (the badge ends right).
 */
@Injectable()
export class UnreadCountPusher implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;
  /** Users with a count running; `true` when another was requested meanwhile. */
  private readonly running = new Map<string, boolean>();

  constructor(
    private readonly events: InboxEvents,
    private readonly inbox: InboxService,
    private readonly hub: PushHub,
  ) {}

  onModuleInit(): void {
    this.subscription = this.events.stateChanged$.subscribe((userId) => void this.push(userId));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /**
   * Sends the user's current unread count to their streams on this instance, if any. Resolves when
   * this request's count was sent, or was handed to the count running for the user. Never rejects
   * (a failed count is skipped; the next request counts again).
   */
  async push(userId: string): Promise<void> {
    if (!this.hub.isConnected(userId)) return;
    if (this.running.has(userId)) {
      this.running.set(userId, true);
      return;
    }
    this.running.set(userId, false);
    try {
      for (;;) {
        const count = await this.inbox.count(userId, { read: false }).catch(() => undefined);
        if (count !== undefined) this.hub.send(userId, { event: 'unread-count.changed', data: count });
        if (!this.running.get(userId) || !this.hub.isConnected(userId)) return;
        this.running.set(userId, false);
        await new Promise((resolve) => setTimeout(resolve, UNREAD_COUNT_MIN_INTERVAL_MS));
      }
    } finally {
      this.running.delete(userId);
    }
  }
}
