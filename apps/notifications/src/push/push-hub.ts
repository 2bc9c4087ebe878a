import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/**
 * One event pushed to a user's real-time clients, whatever the transport: an SSE frame
 * (`id`, `event`, `data`) or a Socket.IO event (`socket.emit(event, data)`). The names are open
 * (today `notification.created` and `unread-count.changed`): a transport forwards any event as is.
 */
export interface PushEvent {
  /** Event name, e.g. `notification.created`. */
  event: string;
  /** JSON-serialisable payload, identical on every transport. */
  data: unknown;
  /** Resume point (a notification id): the SSE `id` line; sockets resume with it too. */
  id?: string;
}

/** One open real-time client of one user on this instance (an SSE stream or a socket). */
export interface PushConnection {
  userId: string;
  /** Delivers one event; returns false when the client is gone. */
  send(event: PushEvent): boolean;
  /** Ends the connection (server shutdown). */
  close(): void;
}

/**
 * Formats one Server-Sent Events frame (WHATWG HTML, "Server-sent events"): `id`, `event`, and the
 * JSON `data` on one line (JSON.stringify never emits raw newlines).
 */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The users connected to THIS instance and their open streams and sockets: one hub feeds both
 * transports. Delivery is local: every instance receives every `notification.created` and
 * `inbox.changed` (broadcast consumer group per instance) and delivers to the users connected here.
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

  /** Whether `userId` has an open stream or socket on this instance. */
  isConnected(userId: string): boolean {
    return this.byUser.has(userId);
  }

  /** Open streams and sockets on this instance. */
  get connections(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /** Sends an event to every stream and socket of `userId` here. @returns connections reached */
  send(userId: string, event: PushEvent): number {
    let reached = 0;
    for (const c of this.byUser.get(userId) ?? []) {
      if (c.send(event)) reached++;
      else this.remove(c);
    }
    return reached;
  }

  /** Ends every stream and socket, so the HTTP server can close (clients reconnect and resume). */
  beforeApplicationShutdown(): void {
    if (this.connections > 0) this.logger.log(`closing ${this.connections} stream(s)/socket(s)`);
    for (const set of this.byUser.values()) for (const c of set) c.close();
    this.byUser.clear();
  }
}
