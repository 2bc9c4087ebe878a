import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { ServerOptions } from 'socket.io';
import { AppConfig } from '@herald/config';

/**
 * Where the Socket.IO endpoint is mounted on the notifications app's own HTTP server (the
 * socket.io-client default). engine.io answers these requests before Fastify's router, so they
 * carry no Fastify hooks (CSP, rate limits); authentication is the gateway's handshake check.
 */
export const SOCKET_IO_PATH = '/socket.io';

/**
 * Socket.IO server defaults Herald keeps and documents (engine.io's own defaults, socket.io v4
 * "Server options"): a ping every `pingInterval` ms; a client that does not answer within
 * `pingTimeout` ms more is disconnected. The client side reconnects by itself (socket.io-client
 * `reconnection: true`, delay 1,000 ms doubling up to 5,000 ms, randomisation 0.5, no attempt limit).
 */
export const SOCKET_IO_HEARTBEAT = { pingInterval: 25_000, pingTimeout: 20_000 } as const;

/**
 * Nest's socket.io adapter on the Fastify app's HTTP server (same port as the API), with the
 * app's CORS allow-list (`CORS_ORIGINS`; none: same-origin pages only) and the heartbeat above.
 * No Redis (or other) adapter: fan-out across instances is Kafka's broadcast into each PushHub.
 */
export class HeraldIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    const origins = this.config.corsOrigins;
    return super.createIOServer(port, {
      ...options,
      ...SOCKET_IO_HEARTBEAT,
      path: SOCKET_IO_PATH,
      serveClient: false,
      cors: origins.length > 0 ? { origin: origins, credentials: true } : undefined,
    } as ServerOptions);
  }
}
