import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** One open Server-Sent Events stream of one user. */
export interface PushConnection {
  userId: string;
  /** Writes one SSE frame; returns false when the client is gone. */
  send(frame: string): boolean;
  /** Ends the stream (server shutdown). */
  close(): void;
}

/**
 * Formats one Server-Sent Events frame (WHATWG HTML, "Server-sent events"): `id`, `event`, and the
 * JSON `data` on one line (JSON.stringify never emits raw newlines).
 */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The `id` of a frame made by {@link sseFrame} (undefined when it has none, e.g. a count or a comment). */
export function sseFrameId(frame: string): string | undefined {
  return /^id: ([^\n]*)\n/.exec(frame)?.[1];
}

/**
 * The users connected to THIS instance and their open streams. Delivery is local: every
 * instance receives every `notification.created` (broadcast consumer group per instance) and
 * delivers to the users connected here.
 */
@Injectable()
export class PushHub implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PushHub.name);
  private readonly byUser = new Map<string, Set<PushConnection>>();

  add(c: PushConnection): void {
    const set = this.byUser.get(c.userId) ?? new Set<PushConnection>();
    set.add(c);
    this.byUser.set(c.userId, set);
  }

  remove(c: PushConnection): void {
    const set = this.byUser.get(c.userId);
    if (!set) return;
    set.delete(c);
    if (set.size === 0) this.byUser.delete(c.userId);
  }

  /** Whether `userId` has an open stream on this instance. */
  isConnected(userId: string): boolean {
    return this.byUser.has(userId);
  }

  /** Open streams on this instance. */
  get connections(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /** Sends a frame to every stream of `userId` here. @returns streams reached */
  send(userId: string, frame: string): number {
    let reached = 0;
    for (const c of this.byUser.get(userId) ?? []) {
      if (c.send(frame)) reached++;
      else this.remove(c);
    }
    return reached;
  }

  /** Sends a frame to every open stream (heartbeats). */
  broadcast(frame: string): void {
    for (const userId of [...this.byUser.keys()]) this.send(userId, frame);
  }

  /** Ends every stream, so the HTTP server can close (clients reconnect with Last-Event-ID). */
  beforeApplicationShutdown(): void {
    if (this.connections > 0) this.logger.log(`closing ${this.connections} stream(s)`);
    for (const set of this.byUser.values()) for (const c of set) c.close();
    this.byUser.clear();
  }
}
