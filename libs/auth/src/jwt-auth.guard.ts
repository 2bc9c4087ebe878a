import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedRequest } from './current-user.decorator';
import { IS_PUBLIC } from './public.decorator';
import { TokenService } from './token.service';

interface RequestWithHeaders extends AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Global guard: every route needs `Authorization: Bearer <JWT>` unless marked {@link Public}.
 * Missing, malformed, expired or badly signed tokens → 401 (RFC 6750 `WWW-Authenticate: Bearer`).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()]);
    if (isPublic) return true;
    const req = ctx.switchToHttp().getRequest<RequestWithHeaders>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedException('missing bearer token');
    try {
      req.user = { id: await this.tokens.verify(token) };
      return true;
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
  }
}

/**
 * Extracts the token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1 `b64token`; the
 * scheme name is case-insensitive, RFC 9110 §11.1), or undefined.
 */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header.trim());
  return match?.[1];
}
