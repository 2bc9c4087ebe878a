import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/**
 * In-process signal that a user's inbox state changed through this instance's HTTP API (PATCH,
 * read-all), so open streams here can receive a fresh `unread-count.changed`. Stores made by the
 * consumer reach streams through Kafka (`notification.created`) instead, on every instance.
 */
@Injectable()
export class InboxEvents {
  private readonly changed = new Subject<string>();

  /** Emits the user id whose read/seen/archived state changed. */
  readonly stateChanged$: Observable<string> = this.changed.asObservable();

  notifyChanged(userId: string): void {
    this.changed.next(userId);
  }
}
