import { Body, Controller, NotFoundException, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { AppConfig } from '@herald/config';
import { ApiErrorResponses, ErrorBodyView } from '@herald/contracts';
import { Public } from './public.decorator';
import { TokenService } from './token.service';

/** Body of `POST /auth/token`. */
export class IssueTokenDto {
  /** The user id to issue a token for (becomes `sub`). 1..128 chars of `[A-Za-z0-9_.@-]`. */
  @ApiProperty({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.@-]+$', example: 'alice' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  @Matches(/^[A-Za-z0-9_.@-]+$/, { message: 'userId may contain only letters, digits and _ . @ -' })
  userId!: string;
}

/** Answer of `POST /auth/token`. */
export class IssuedTokenView {
  @ApiProperty({ description: 'HS256 JWT; send as `Authorization: Bearer <accessToken>`' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Lifetime in seconds', example: 3600 })
  expiresIn!: number;
}

/**
 * Development-only token issuance. Answers 404 unless `AUTH_DEV_TOKENS` is on, and never when
 * `NODE_ENV=production` (see `AppConfig.devTokensEnabled`).
 */
@ApiTags('auth')
@Controller('auth')
export class DevTokenController {
  constructor(
    private readonly tokens: TokenService,
    private readonly config: AppConfig,
  ) {}

  /** Issues an HS256 token for `userId`: 201 `{ accessToken, tokenType: "Bearer", expiresIn (s) }`. */
  @Public()
  @Post('token')
  @ApiOperation({ summary: 'Issue a development token (not in production)' })
  @ApiCreatedResponse({ type: IssuedTokenView })
  @ApiNotFoundResponse({
    description: 'Dev tokens are disabled (NODE_ENV=production or AUTH_DEV_TOKENS=false)',
    type: ErrorBodyView,
  })
  @ApiErrorResponses({ common: false }, 400, 413, 415, 429)
  async issue(@Body() dto: IssueTokenDto): Promise<IssuedTokenView> {
    if (!this.config.devTokensEnabled) throw new NotFoundException();
    return {
      accessToken: await this.tokens.issue(dto.userId),
      tokenType: 'Bearer',
      expiresIn: this.config.env.JWT_TTL_SECONDS,
    };
  }
}
