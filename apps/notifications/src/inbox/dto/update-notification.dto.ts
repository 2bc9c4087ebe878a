import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, Matches } from 'class-validator';
import { IsOptionalNotNull } from '@herald/http';
import { Patterns } from '@herald/contracts';

/** Body of `PATCH /api/v1/notifications/:id`: true sets the date to now, false clears it. */
export class UpdateNotificationDto {
  @ApiPropertyOptional() @IsOptionalNotNull() @IsBoolean() read?: boolean;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsBoolean() seen?: boolean;
  @ApiPropertyOptional() @IsOptionalNotNull() @IsBoolean() archived?: boolean;
}

/** Body of `POST /api/v1/notifications/read-all`. */
export class ReadAllDto {
  @ApiPropertyOptional({ description: 'Only this conversation', pattern: Patterns.id.source })
  @IsOptionalNotNull()
  @IsString()
  @Matches(Patterns.id)
  conversationId?: string;
}
