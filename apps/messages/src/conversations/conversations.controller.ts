import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@herald/auth';
import { ApiErrorResponses, Patterns } from '@herald/contracts';
import { ConversationIdPipe } from './conversation-id.pipe';
import { ConversationsService, MessagePage } from './conversations.service';
import { ConversationPage } from './dto/conversation.view';
import { HistoryQuery, PageQuery } from './dto/page.query';
import { MessageView } from '../messages/dto/message.view';

class MessagePageView implements MessagePage {
  @ApiProperty({ type: [MessageView] }) data!: MessageView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}

/** `/api/v1/conversations`: the authenticated user's conversations and their messages. */
@ApiTags('conversations')
@ApiBearerAuth()
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /** Conversations the user takes part in, most recently active first (`after`, `limit` 1..100). */
  @Get()
  @ApiOperation({ summary: 'List my conversations' })
  @ApiOkResponse({ type: ConversationPage })
  @ApiErrorResponses()
  list(@CurrentUser() user: AuthUser, @Query() q: PageQuery): Promise<ConversationPage> {
    return this.conversations.list(user.id, q);
  }

  /**
   * Messages of one conversation, newest first. 404 when the user takes no part in it.
   * Reading does not mark notifications read: clients call the inbox's read-all for that.
   */
  @Get(':conversationId/messages')
  @ApiOperation({ summary: 'List messages of a conversation' })
  @ApiOkResponse({ type: MessagePageView })
  @ApiErrorResponses(404, 414)
  @ApiParam({ name: 'conversationId', schema: { type: 'string', pattern: Patterns.id.source } })
  history(
    @CurrentUser() user: AuthUser,
    @Param('conversationId', ConversationIdPipe) conversationId: string,
    @Query() q: HistoryQuery,
  ): Promise<MessagePage> {
    return this.conversations.history(user.id, conversationId, q);
  }
}
