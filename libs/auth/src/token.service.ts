import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '@herald/config';

/** Claims Herald requires: `sub` is the user id. */
export interface HeraldClaims {
  sub: string;
}

/** Issues and verifies Herald's HS256 JWTs (RFC 7519) with `JWT_SECRET`. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Signs a token for `userId`, valid `JWT_TTL_SECONDS` seconds.
   * @returns the compact JWS string
   */
  issue(userId: string): Promise<string> {
    return this.jwt.signAsync({ sub: userId }, { expiresIn: this.config.env.JWT_TTL_SECONDS });
  }

  /**
   * Verifies signature (HS256 only: `alg: none` and other algorithms are refused), expiry and shape.
   * @returns the user id (`sub`)
   * @throws Error when the token is invalid, expired or lacks a string `sub`
   */
  async verify(token: string): Promise<string> {
    const claims = await this.jwt.verifyAsync<Partial<HeraldClaims>>(token, { algorithms: ['HS256'] });
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 128) {
      throw new Error('token has no valid sub claim');
    }
    return claims.sub;
  }
}
