import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { bearerToken, TokenService } from '@herald/auth';
import { InboxService } from '../inbox/inbox.service';
import { readCatchUp } from './catch-up';
import { ConnectionCap, tooManyConnections } from './connection-cap';
import { PushHub } from './push-hub';
import { PushSink, StreamConnection } from './stream-connection';

/** What the handshake middleware leaves on `socket.data`. */
interface SocketData {
  userId: string;
  /** Its place under the per-user connection cap (ConnectionCap). */
  lease: string;
  conn?: StreamConnection;
}

/**
 * The error a refused handshake gives the client's `connect_error` (`err.message`, `err.data`):
 * status 401 without a valid token, 429 over the per-user connection cap.
 */
export class SocketRefusedError extends Error {
  readonly data: { status: number };
  constructor(message: string, status: 401 | 429 = 401) {
    super(message);
    this.data = { status };
  }
}

/**
 * The token of a Socket.IO handshake: `auth.token` (socket.io-client `io(url, { auth: { token } })`),
 * else `Authorization: Bearer` (non-browser clients), else the `access_token` query parameter.
 */
export function handshakeToken(handshake: Pick<Socket['handshake'], 'auth' | 'headers' | 'query'>): string | undefined {
  const auth = handshake.auth as Record<string, unknown> | undefined;
  if (typeof auth?.token === 'string' && auth.token.length > 0) return auth.token;
  const header = bearerToken(handshake.headers.authorization);
  if (header) return header;
  const query = handshake.query.access_token;
  return typeof query === 'string' && query.length > 0 ? query : undefined;
}

/** Delivers push events to one socket: `socket.emit(event, data)`, the payloads SSE sends. */
export function socketSink(socket: Pick<Socket, 'emit' | 'connected' | 'disconnect'>): PushSink {
  return {
    write: (e) => void socket.emit(e.event, e.data),
    get open() {
      return socket.connected;
    },
    end: () => void socket.disconnect(true),
  };
}

/**
 * Socket.IO gateway next to the SSE stream, fed by the same PushHub (so by the same Kafka
 * broadcast: a socket on any instance gets the user's pushes; no Socket.IO adapter involved).
 *
 * - Handshake: a JWT (see {@link handshakeToken}) verified like every API token; without a valid
 *   one the connection is refused with `connect_error` `{ message, data: { status: 401 } }`; over
 *   `PUSH_CONNECTIONS_PER_USER` (SSE and sockets together, all instances) with status 429.
 * - Events (server → client): `notification.created` (the stored notification, as GET returns it)
 *   and `unread-count.changed` (`{count, capped}`), the SSE payloads; a client sees only its own.
 * - Resume: `auth.lastEventId` (the id of the last `notification.created` seen) replays what was
 *   stored after it (up to 100) before live events, like SSE's `Last-Event-ID`; give `auth` as a
 *   function so each reconnection sends the latest id. Every connection starts with the unread count.
 * - Heartbeat and reconnection: see `SOCKET_IO_HEARTBEAT` (socket-io.adapter.ts).
 */
@WebSocketGateway()
export class NotificationGateway
  implements OnGatewayInit<Server>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket>
{
  private readonly logger = new Logger(NotificationGateway.name);

  constructor(
    private readonly tokens: TokenService,
    private readonly hub: PushHub,
    private readonly inbox: InboxService,
    private readonly cap: ConnectionCap,
  ) {}

  /** Refuses handshakes without a valid token before any connection exists. */
  afterInit(server: Server): void {
    server.use((socket, next) => {
      const token = handshakeToken(socket.handshake);
      if (!token)
        return next(new SocketRefusedError('missing token (auth.token, Authorization header or access_token query)'));
      this.tokens.verify(token).then(
        async (userId) => {
          const lease = await this.cap.acquire(userId);
          if (lease === null) return next(new SocketRefusedError(tooManyConnections(this.cap.limit).message, 429));
          Object.assign(socket.data as SocketData, { userId, lease });
          next();
        },
        () => next(new SocketRefusedError('invalid or expired token')),
      );
    });
  }

  /** Registers the socket in the hub, then sends its catch-up (resume replay, unread count). */
  async handleConnection(socket: Socket): Promise<void> {
    const data = socket.data as SocketData;
    const conn = new StreamConnection(data.userId, socketSink(socket));
    data.conn = conn;
    this.hub.add(conn);
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    try {
      conn.goLive(await readCatchUp(this.inbox, data.userId, auth?.lastEventId));
    } catch (err) {
      this.logger.warn(`socket of ${data.userId}: catch-up failed, disconnecting it (${(err as Error).message})`);
      conn.close(); // the client reconnects and resumes
    }
  }

  handleDisconnect(socket: Socket): void {
    const data = socket.data as SocketData;
    if (data.conn) this.hub.remove(data.conn);
    if (data.lease) void this.cap.release(data.userId, data.lease);
  }
}
