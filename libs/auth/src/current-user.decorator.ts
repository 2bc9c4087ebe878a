import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The authenticated caller, taken from the verified JWT. */
export interface AuthUser {
  /** The token's `sub` claim: the user id. */
  id: string;
}

/** Request shape after {@link JwtAuthGuard} ran. */
export interface AuthenticatedRequest {
  user?: AuthUser;
}

/** Injects the {@link AuthUser} of the request; only valid behind {@link JwtAuthGuard}. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.user) throw new Error('CurrentUser used on a route without JwtAuthGuard');
  return req.user;
});
