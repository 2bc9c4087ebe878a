import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageLimit } from '@herald/http';
import { Transform } from 'class-transformer';
import { IsBoolean, IsMongoId, IsOptional } from 'class-validator';
import { Patterns } from '@herald/contracts';

/** Strict boolean query parameter: only `true` / `false` (anything else fails validation). */
export const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** Filters shared by the list and count endpoints. */
export class NotificationFilterQuery {
  @ApiPropertyOptional({ description: 'Only read (true) or unread (false) notifications' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  read?: boolean;

  @ApiPropertyOptional({ description: 'Only seen (true) or unseen (false) notifications' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  seen?: boolean;

  @ApiPropertyOptional({ description: 'Archived (true) or not (false, the default)', default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  archived?: boolean;
}

/** Query of `GET /api/v1/notifications`. */
export class ListNotificationsQuery extends NotificationFilterQuery {
  @ApiPropertyOptional({
    description: 'Opaque cursor: `nextCursor` of the previous page',
    pattern: Patterns.objectId.source,
  })
  @IsOptional()
  @IsMongoId({ message: 'after must be a cursor returned by this API' })
  after?: string;

  @PageLimit()
  limit?: number;
}
