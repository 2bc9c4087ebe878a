import { BadRequestException, Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@herald/auth';
import { ApiErrorResponses } from '@herald/contracts';
import {
  ConversationParams,
  ConversationPreferenceDto,
  PreferencesView,
  TypeParams,
  TypePreferenceDto,
} from './dto/preferences.dto';
import { PreferenceRepository } from '../dal/preferences/preference.repository';

/** 400 naming `until` (the shape of every validation error: `details` per field). */
function invalidUntil(why: string): BadRequestException {
  return new BadRequestException({ message: 'Invalid request: until', details: [{ field: 'until', errors: [why] }] });
}

/**
 * `/api/v1/preferences`: what reaches the authenticated user's inbox. Checked by the consumer when
 * it stores a batch (one `_id` `$in` query on `preferences` per batch): a change applies to the
 * messages consumed after the PUT answered; a message already consumed keeps its notification (or
 * its absence). Bound: at most the consumer's lag, plus the batch in hand when the PUT lands.
 */
@ApiTags('preferences')
@ApiBearerAuth()
@Controller('preferences')
export class PreferencesController {
  constructor(private readonly store: PreferenceRepository) {}

  /** My muted conversations (live mutes only) and every notification type with its state. */
  @Get()
  @ApiOperation({ summary: 'My notification preferences' })
  @ApiOkResponse({ type: PreferencesView })
  @ApiErrorResponses()
  async get(@CurrentUser() user: AuthUser): Promise<PreferencesView> {
    return (await this.store.get(user.id)).view(new Date());
  }

  /**
   * Mutes (`{muted: true, until?}`) or unmutes (`{muted: false}`) a conversation: a muted one gives
   * me no `message.created` notification until `until` (judged at each message's `createdAt`), or
   * until unmuted; mentions still do unless `message.mentioned` is off. 400 naming `until` for a
   * date that is not ISO 8601, or `until` with `muted: false`.
   */
  @Put('conversations/:conversationId')
  @ApiOperation({ summary: 'Mute or unmute a conversation' })
  @ApiBody({
    description:
      '`{ muted: true, until? }` mutes (until that time, or until unmuted); `{ muted: false }` unmutes. `until` with `muted: false` is a 400.',
    schema: {
      oneOf: [
        {
          type: 'object',
          required: ['muted'],
          additionalProperties: false,
          properties: { muted: { type: 'boolean', enum: [true] }, until: { type: 'string', format: 'date-time' } },
        },
        {
          type: 'object',
          required: ['muted'],
          additionalProperties: false,
          properties: { muted: { type: 'boolean', enum: [false] } },
        },
      ],
    },
  })
  @ApiOkResponse({ type: PreferencesView })
  @ApiErrorResponses(409, 413, 415)
  async setConversation(
    @CurrentUser() user: AuthUser,
    @Param() p: ConversationParams,
    @Body() dto: ConversationPreferenceDto,
  ): Promise<PreferencesView> {
    const until = dto.until === undefined ? null : new Date(dto.until);
    if (!dto.muted && until) throw invalidUntil('until is only allowed with muted=true');
    if (until && Number.isNaN(until.getTime())) throw invalidUntil('until must be a date JavaScript can represent');
    const prefs = await this.store.setConversation(user.id, p.conversationId, dto.muted, until);
    return prefs.view(new Date());
  }

  /** Turns a notification type on or off for me (`message.created`, `message.mentioned`). */
  @Put('types/:type')
  @ApiOperation({ summary: 'Turn a notification type on or off' })
  @ApiOkResponse({ type: PreferencesView })
  @ApiErrorResponses(409, 413, 415)
  async setType(
    @CurrentUser() user: AuthUser,
    @Param() p: TypeParams,
    @Body() dto: TypePreferenceDto,
  ): Promise<PreferencesView> {
    return (await this.store.setType(user.id, p.type, dto.enabled)).view(new Date());
  }
}
