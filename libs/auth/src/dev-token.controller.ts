import { Body, Controller, NotFoundException, Post } from '@nestjs/common';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { AppConfig } from '@herald/config';
import { Public } from './public.decorator';
import { TokenService } from './token.service';

/** Body of `POST /auth/token`. */
export class IssueTokenDto {
  /** The user id to issue a token for (becomes `sub`). 1..128 chars of `[A-Za-z0-9_.@-]`. */
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  @Matches(/^[A-Za-z0-9_.@-]+$/, { message: 'userId may contain only letters, digits and _ . @ -' })
  userId!: string;
}

/**
 * Development-only token issuance. Answers 404 unless `AUTH_DEV_TOKENS` is on, and never when
 * `NODE_ENV=production` (see `AppConfig.devTokensEnabled`).
 */
@Controller('auth')
export class DevTokenController {
  constructor(
    private readonly tokens: TokenService,
    private readonly config: AppConfig,
  ) {}

  /** Issues an HS256 token for `userId`: 201 `{ accessToken, tokenType: "Bearer", expiresIn (s) }`. */
  @Public()
  @Post('token')
  async issue(@Body() dto: IssueTokenDto): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
    if (!this.config.devTokensEnabled) throw new NotFoundException();
    return { accessToken: await this.tokens.issue(dto.userId), tokenType: 'Bearer', expiresIn: this.config.env.JWT_TTL_SECONDS };
  }
}
