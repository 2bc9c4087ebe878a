import { PushConnection, sseFrameId } from './push-hub';

/** The slice of an HTTP response a {@link StreamConnection} writes to (`http.ServerResponse`). */
export interface StreamSink {
  write(chunk: string): unknown;
  end(): unknown;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

/**
 * One SSE stream, registered in the {@link PushHub} before its catch-up (the `Last-Event-ID` replay
 * and the initial unread count) is read, so that nothing stored meanwhile is missed: live frames
 * that arrive during the catch-up are held, and {@link goLive} writes them after the catch-up,
 * without the notifications the replay already carried (same SSE `id`). Held
 * `unread-count.changed` frames are written in arrival order after the initial count; each was
 * read after the store it follows, and any later change pushes a newer count.
 */
export class StreamConnection implements PushConnection {
  private held: string[] | undefined = [];

  constructor(
    readonly userId: string,
    private readonly sink: StreamSink,
  ) {}

  /** True once {@link goLive} ran: frames are written as they come. */
  get live(): boolean {
    return this.held === undefined;
  }

  /** Writes (live) or holds (catching up) one frame; false when the client is gone. */
  send(frame: string): boolean {
    if (this.sink.destroyed || this.sink.writableEnded) return false;
    if (this.held) this.held.push(frame);
    else this.sink.write(frame);
    return true;
  }

  /**
   * Ends the catch-up: writes `catchUp` (replayed notifications, then the unread count), then the
   * frames held since registration, skipping those whose SSE id `catchUp` already carried; from then
   * on frames are written as they come. A second call only writes `catchUp`.
   * @returns how many held frames were written
   */
  goLive(catchUp: string[]): number {
    const held = this.held ?? [];
    this.held = undefined;
    const replayed = new Set(catchUp.map(sseFrameId).filter((id): id is string => id !== undefined));
    let written = 0;
    for (const frame of catchUp) this.send(frame);
    for (const frame of held) {
      const id = sseFrameId(frame);
      if (id !== undefined && replayed.has(id)) continue;
      if (this.send(frame)) written++;
    }
    return written;
  }

  /** Ends the stream. */
  close(): void {
    this.held = undefined;
    this.sink.end();
  }
}
