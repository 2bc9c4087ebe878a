import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsRFC3339, Matches } from 'class-validator';
import { ALL_NOTIFICATION_TYPES, NotificationType, Patterns } from '@herald/contracts';
import { IsOptionalNotNull } from '@herald/http';

/** Pattern of a conversation id (the messages API's). */
export const CONVERSATION_ID_PATTERN = Patterns.id;

/** Path of `PUT /preferences/conversations/:conversationId`. */
export class ConversationParams {
  @ApiProperty({ pattern: CONVERSATION_ID_PATTERN.source, example: 'dm_5f2c…' })
  @Matches(CONVERSATION_ID_PATTERN, { message: 'conversationId must match ' + CONVERSATION_ID_PATTERN.source })
  conversationId!: string;
}

/** Path of `PUT /preferences/types/:type`. */
export class TypeParams {
  @ApiProperty({ enum: ALL_NOTIFICATION_TYPES })
  @IsIn(ALL_NOTIFICATION_TYPES as unknown as string[], {
    message: `type must be one of ${ALL_NOTIFICATION_TYPES.join(', ')}`,
  })
  type!: NotificationType;
}

/** Body of `PUT /preferences/conversations/:conversationId`. */
export class ConversationPreferenceDto {
  @ApiProperty({ description: 'true mutes the conversation, false unmutes it' })
  @IsDefined()
  @IsBoolean()
  muted!: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description:
      'With muted=true: the mute ends at this time (RFC 3339 date-time); without it the mute lasts until unmuted. Not allowed with muted=false.',
  })
  @IsOptionalNotNull()
  @IsRFC3339({ message: 'until must be an RFC 3339 date-time (OpenAPI format date-time), e.g. 2026-12-31T18:00:00Z' })
  until?: string;
}

/** Body of `PUT /preferences/types/:type`. */
export class TypePreferenceDto {
  @ApiProperty({ description: 'false: no notification of this type is created for me' })
  @IsDefined()
  @IsBoolean()
  enabled!: boolean;
}

/** A muted conversation. */
export class ConversationPreferenceView {
  @ApiProperty() conversationId!: string;
  @ApiProperty({ enum: [true] }) muted!: true;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'End of the mute; null = until unmuted',
  })
  until!: Date | null;
}

/** A notification type and whether it is on. */
export class TypePreferenceView {
  @ApiProperty({ enum: ALL_NOTIFICATION_TYPES }) type!: NotificationType;
  @ApiProperty() enabled!: boolean;
}

/** `GET /preferences` (and the answer of each PUT): muted conversations (expired mutes left out) and every type. */
export class PreferencesView {
  @ApiProperty({ type: [ConversationPreferenceView] }) conversations!: ConversationPreferenceView[];
  @ApiProperty({ type: [TypePreferenceView] }) types!: TypePreferenceView[];
}
