import { PushConnection, PushEvent } from './push-hub';

/** Where a {@link StreamConnection} delivers: an SSE response ({@link sseSink}) or a socket. */
export interface PushSink {
  /** Delivers one event to the client (only called while {@link open}). */
  write(event: PushEvent): void;
  /** False once the client is gone or the connection ended. */
  readonly open: boolean;
  /** Ends the connection. */
  end(): void;
}

/**
 * One real-time client (SSE stream or socket), registered in the PushHub before its catch-up (the
 * resume replay after a notification id and the initial unread count) is read, so that nothing
 * stored meanwhile is missed: live events that arrive during the catch-up are held, and
 * {@link goLive} delivers them after the catch-up, without the notifications the replay already
 * carried (same `id`). Held `unread-count.changed` events are delivered in arrival order after the
 * initial count; each was read after the store it follows, and any later change pushes a newer count.
 */
export class StreamConnection implements PushConnection {
  private held: PushEvent[] | undefined = [];

  constructor(
    readonly userId: string,
    private readonly sink: PushSink,
  ) {}

  /** True once {@link goLive} ran: events are delivered as they come. */
  get live(): boolean {
    return this.held === undefined;
  }

  /** Delivers (live) or holds (catching up) one event; false when the client is gone. */
  send(event: PushEvent): boolean {
    if (!this.sink.open) return false;
    if (this.held) this.held.push(event);
    else this.sink.write(event);
    return true;
  }

  /**
   * Ends the catch-up: delivers `catchUp` (replayed notifications, then the unread count), then the
   * events held since registration, skipping those whose id `catchUp` already carried; from then on
   * events are delivered as they come. A second call only delivers `catchUp`.
   * @returns how many held events were delivered
   */
  goLive(catchUp: PushEvent[]): number {
    const held = this.held ?? [];
    this.held = undefined;
    const replayed = new Set(catchUp.map((e) => e.id).filter((id): id is string => id !== undefined));
    let written = 0;
    for (const event of catchUp) this.send(event);
    for (const event of held) {
      if (event.id !== undefined && replayed.has(event.id)) continue;
      if (this.send(event)) written++;
    }
    return written;
  }

  /** Ends the connection and drops what was held. */
  close(): void {
    this.held = undefined;
    this.sink.end();
  }
}
