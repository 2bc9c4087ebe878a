import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { InboxEvents } from '../inbox/inbox-events';
import { InboxService } from '../inbox/inbox.service';
import { PushHub, sseFrame } from './push-hub';

/** Pushes `unread-count.changed` to a user's streams here after a PATCH or read-all here. */
@Injectable()
export class UnreadCountPusher implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;

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

  /** Sends the user's current unread count to their streams on this instance, if any. */
  async push(userId: string): Promise<void> {
    if (!this.hub.isConnected(userId)) return;
    const count = await this.inbox.count(userId, { read: false }).catch(() => undefined);
    if (count !== undefined) this.hub.send(userId, sseFrame('unread-count.changed', { count }));
  }
}
