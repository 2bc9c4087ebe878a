import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';

/** Body of `PATCH /api/v1/notifications/:id`: true sets the date to now, false clears it. */
export class UpdateNotificationDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() read?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() seen?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() archived?: boolean;
}

/** Body of `POST /api/v1/notifications/read-all`. */
export class ReadAllDto {
  @ApiPropertyOptional({ description: 'Only this conversation' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.@:-]{1,128}$/)
  conversationId?: string;
}
