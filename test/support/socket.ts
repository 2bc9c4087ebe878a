import { io, ManagerOptions, Socket, SocketOptions } from 'socket.io-client';

/** One Socket.IO event as received, with when it arrived (ms since the epoch). */
export interface SocketEvent {
  event: string;
  data: any;
  at: number;
}

/** A socket.io-client connection that records every event it receives. */
export interface SocketClient {
  socket: Socket;
  events: SocketEvent[];
  /** The last `notification.created` id received (what a reconnection resumes after). */
  lastEventId?: string;
  close(): void;
}

/**
 * Connects to the notifications app's gateway with `token` (handshake `auth.token`) and records
 * every event. `auth` is a function, so every (re)connection sends the latest `lastEventId`.
 * Resolves on `connect`; rejects with the server's error on `connect_error` (the handshake refusal:
 * `err.message`, `err.data.status`).
 */
export function openSocket(
  url: string,
  token: string | undefined,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<SocketClient> {
  const client: SocketClient = {
    socket: undefined as unknown as Socket,
    events: [],
    close: () => client.socket.disconnect(),
  };
  client.socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: (cb) =>
      cb({
        ...(token === undefined ? {} : { token }),
        ...(client.lastEventId ? { lastEventId: client.lastEventId } : {}),
      }),
    ...options,
  });
  client.socket.onAny((event: string, data: any) => {
    client.events.push({ event, data, at: Date.now() });
    if (event === 'notification.created') client.lastEventId = data.id;
  });
  return new Promise((resolve, reject) => {
    client.socket.once('connect', () => resolve(client));
    client.socket.once('connect_error', (err) => {
      client.socket.disconnect();
      reject(err);
    });
  });
}

/** The `notification.created` payloads a client received. */
export const createdOf = (c: SocketClient): any[] =>
  c.events.filter((e) => e.event === 'notification.created').map((e) => e.data);
/** The `unread-count.changed` counts a client received, in order. */
export const countsOf = (c: SocketClient): number[] =>
  c.events.filter((e) => e.event === 'unread-count.changed').map((e) => e.data.count as number);
