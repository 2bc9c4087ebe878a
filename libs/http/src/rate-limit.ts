import { DynamicModule, ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { AppConfig } from '@herald/config';
import { AuthenticatedRequest, bearerToken, TokenService } from '@herald/auth';
import { MongoThrottlerStorage } from './rate-limit-store';

/** Names of the two limits (also the suffix of their `X-RateLimit-*-<name>` headers). */
export const IP_THROTTLER = 'ip';
export const USER_THROTTLER = 'user';

/** Window of both limits: one minute, in ms. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

interface ThrottledRequest extends AuthenticatedRequest {
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

interface ReplyWithHeader {
  header(name: string, value: string): unknown;
}

/**
 * @nestjs/throttler guard with Herald's two limits on `/api` routes (health, metrics and docs are
 * never limited): per client IP (`RATE_LIMIT_IP_PER_MINUTE`, counted before authentication, so a
 * token-less flood is limited too) and per user (`RATE_LIMIT_PER_MINUTE`, the verified JWT `sub`).
 * Each limit counts across all routes. Over a limit: 429 in the standard error shape with
 * `Retry-After` (seconds, RFC 9110 §10.2.3; RFC 6585 §4). OWASP API Security Top 10 2023, API4
 * "Unrestricted Resource Consumption".
 *
 * Counters live in the app's MongoDB database by default (`RATE_LIMIT_STORE=mongodb`,
 * {@link MongoThrottlerStorage}), so the limits hold for the whole deployment however many
 * instances share the traffic; `RATE_LIMIT_STORE=memory` keeps them in each instance's memory
 * (@nestjs/throttler's default storage: N instances allow N × the limit).
 */
@Injectable()
export class HeraldThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly tokens: TokenService,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const url = context.switchToHttp().getRequest<ThrottledRequest>().url ?? '';
    return !url.startsWith('/api/');
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    if (props.throttler.name !== USER_THROTTLER) return super.handleRequest(props);
    const userId = await this.userOf(props.context.switchToHttp().getRequest<ThrottledRequest>());
    if (!userId) return true; // anonymous: the IP limit applies, authentication answers 401
    return super.handleRequest({ ...props, getTracker: () => userId });
  }

  /** One counter per limit and caller, shared by every route (not per route as by default). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    context
      .switchToHttp()
      .getResponse<ReplyWithHeader>()
      .header('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    throw new ThrottlerException('rate limit exceeded, retry later');
  }

  /** The verified user: set by JwtAuthGuard when it ran first, else verified here (never trusted unverified). */
  private async userOf(req: ThrottledRequest): Promise<string | undefined> {
    if (req.user?.id) return req.user.id;
    const token = bearerToken(req.headers.authorization);
    return token ? this.tokens.verify(token).catch(() => undefined) : undefined;
  }
}

/**
 * Rate limiting for an app: the {@link HeraldThrottlerGuard} as a global guard with the configured
 * limits, or nothing when `RATE_LIMIT_ENABLED=false`. Import it in the root module BEFORE
 * `AuthModule`: Nest runs global guards in registration order, and the IP limit must run before
 * authentication rejects a token-less request.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.env.RATE_LIMIT_ENABLED) return { module: RateLimitModule };
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [
            { name: IP_THROTTLER, ttl: RATE_LIMIT_WINDOW_MS, limit: config.env.RATE_LIMIT_IP_PER_MINUTE },
            { name: USER_THROTTLER, ttl: RATE_LIMIT_WINDOW_MS, limit: config.env.RATE_LIMIT_PER_MINUTE },
          ],
        }),
      ],
      providers: [
        // Resolved before ThrottlerModule's in-memory storage: the guard's host module provides it.
        ...(config.env.RATE_LIMIT_STORE === 'mongodb'
          ? [{ provide: ThrottlerStorage, useClass: MongoThrottlerStorage }]
          : []),
        { provide: APP_GUARD, useClass: HeraldThrottlerGuard },
      ],
    };
  }
}
