import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Limits, Patterns } from '@herald/contracts';
import { IsOptionalNotNull } from '@herald/http';

/** User and conversation ids: 1..128 chars of letters, digits and `_ . @ : -`. */
const ID_PATTERN = Patterns.id;

/** Body of `POST /api/v1/messages`. The sender is the token's subject, never a body field. */
export class CreateMessageDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: ID_PATTERN.source, minLength: 1, maxLength: 128 },
    minItems: 1,
    maxItems: Limits.maxRecipients,
    uniqueItems: true,
    example: ['bob', 'carol'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(Limits.maxRecipients)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(ID_PATTERN, { each: true, message: 'each value in recipientIds must match ' + ID_PATTERN.source })
  recipientIds!: string[];

  @ApiProperty({
    minLength: 1,
    maxLength: Limits.bodyMaxLength,
    pattern: '^[^\\u0000]*$',
    description: 'Any Unicode text without NUL (lone surrogates are refused too)',
    example: 'Lunch at noon?',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(Limits.bodyMaxLength)
  body!: string;

  @ApiPropertyOptional({
    description:
      'Defaults to an id derived from the sorted participants (`dm_…`). A named conversation that already has messages takes only its participants (404 otherwise); `dm_` ids must be the derived one (400 otherwise).',
    pattern: ID_PATTERN.source,
    example: 'team-lunch',
  })
  @IsOptionalNotNull()
  @IsString()
  @Matches(ID_PATTERN, { message: 'conversationId must match ' + ID_PATTERN.source })
  conversationId?: string;
}
