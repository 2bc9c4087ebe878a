import { Controller, Get, Headers, Logger, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, Public, TokenService } from '@herald/auth';
import { ApiErrorResponses } from '@herald/contracts';
import { InboxService } from '../inbox/inbox.service';
import { ConnectionCap, tooManyConnections } from './connection-cap';
import type { ServerResponse } from 'node:http';
import { readCatchUp } from './catch-up';
import { PushHub, sseFrame } from './push-hub';
import { PushSink, StreamConnection } from './stream-connection';

/** Reads `access_token` from a Cookie header value (undefined when absent or not decodable). */
export function cookieToken(cookie: string | undefined): string | undefined {
  const match = /(?:^|;\s*)access_token=([^;]+)/.exec(cookie ?? '');
  try {
    return match ? decodeURIComponent(match[1]) : undefined;
  } catch {
    return undefined; // malformed %-escape (URIError): no usable token → 401, not 500
  }
}

/** Delivers push events to one SSE response as frames ({@link sseFrame}). */
export function sseSink(res: Pick<ServerResponse, 'write' | 'end' | 'destroyed' | 'writableEnded'>): PushSink {
  return {
    write: (e) => void res.write(sseFrame(e.event, e.data, e.id)),
    get open() {
      return !res.destroyed && !res.writableEnded;
    },
    end: () => void res.end(),
  };
}

/**
 * `GET /api/v1/notifications/stream`: Server-Sent Events of the user's new notifications.
 *
 * Auth: `Authorization: Bearer`, or — because `EventSource` cannot set headers — the token as the
 * `access_token` query parameter or cookie (this route only). Events: `notification.created`
 * (id = notification id, data = the stored notification), `unread-count.changed` (`{count, capped}`),
 * a `: heartbeat` comment every 15 s. `Last-Event-ID` (a notification id) replays what was stored
 * after it (up to 100) before live events. The stream is registered for pushes before the response
 * starts, so nothing stored after the client saw it open is missed (see {@link StreamConnection}).
 */
@ApiTags('notifications')
@Controller('notifications')
export class NotificationStreamController {
  static readonly HEARTBEAT_MS = 15_000;
  private readonly logger = new Logger(NotificationStreamController.name);

  constructor(
    private readonly tokens: TokenService,
    private readonly hub: PushHub,
    private readonly inbox: InboxService,
    private readonly cap: ConnectionCap,
  ) {}

  @Public()
  @Get('stream')
  @ApiOperation({
    summary: 'Real-time stream of my notifications (Server-Sent Events)',
    description:
      'At most `PUSH_CONNECTIONS_PER_USER` (default 10) streams and sockets per user, across all instances: one more is answered 429.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'access_token', required: false, description: 'JWT, for EventSource clients' })
  @ApiOkResponse({
    description: 'An endless `text/event-stream` (events `notification.created`, `unread-count.changed`)',
  })
  @ApiErrorResponses()
  async stream(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('access_token') queryToken?: string,
    @Headers('last-event-id') lastEventId?: string,
  ): Promise<void> {
    const token =
      bearerToken(req.headers.authorization) ??
      (typeof queryToken === 'string' ? queryToken : undefined) ??
      cookieToken(req.headers.cookie);
    if (!token) throw new UnauthorizedException('missing token (Authorization header, access_token query or cookie)');
    const userId = await this.tokens.verify(token).catch(() => {
      throw new UnauthorizedException('invalid or expired token');
    });

    const lease = await this.cap.acquire(userId);
    if (lease === null) throw tooManyConnections(this.cap.limit);

    // Registered before the response starts: a notification stored once the client sees the
    // stream open is either in the catch-up below or pushed (held until the catch-up is written).
    const res = reply.raw;
    const sink = sseSink(res);
    const conn = new StreamConnection(userId, sink);
    this.hub.add(conn);
    const heartbeat = setInterval(
      () => sink.open && res.write(': heartbeat\n\n'),
      NotificationStreamController.HEARTBEAT_MS,
    );
    res.on('close', () => {
      clearInterval(heartbeat);
      this.hub.remove(conn);
      void this.cap.release(userId, lease);
    });
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    try {
      conn.goLive(await readCatchUp(this.inbox, userId, lastEventId));
    } catch (err) {
      // The status line is sent: end the stream; the client reconnects (retry: 3000) with Last-Event-ID.
      this.logger.warn(`stream of ${userId}: catch-up failed, closing it (${(err as Error).message})`);
      conn.close();
    }
  }
}
