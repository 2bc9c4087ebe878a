import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageLimit } from '@herald/http';
import { IsOptional, IsString, Matches } from 'class-validator';
import { CURSOR_PATTERN } from '../cursor';
import { Patterns } from '@herald/contracts';

/** `?after=<cursor>&limit=<1..100>` of the conversation list. */
export class PageQuery {
  @ApiPropertyOptional({ description: 'Cursor: `nextCursor` of the previous page', pattern: CURSOR_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(CURSOR_PATTERN, { message: 'after must be a cursor returned by this API' })
  after?: string;

  @PageLimit()
  limit?: number;
}

/** `?after=<message id>&limit=<1..100>` of a conversation's history (newest first). */
export class HistoryQuery {
  @ApiPropertyOptional({
    description: 'Cursor: `nextCursor` of the previous page (a message id)',
    pattern: Patterns.objectId.source,
  })
  @IsOptional()
  @IsString()
  @Matches(Patterns.objectId, { message: 'after must be a cursor returned by this API' })
  after?: string;

  @PageLimit()
  limit?: number;
}
