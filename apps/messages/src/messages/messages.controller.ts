import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '@herald/auth';
import { CreateMessageDto } from './dto/create-message.dto';
import { MessageView } from './dto/message.view';
import { MessagesService } from './messages.service';

/** `/api/v1/messages`: send a message, read one. */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /**
   * Sends a message from the authenticated user to 1..100 recipients.
   * 201 with the stored message once it is durable in MongoDB; its `message.created` event is
   * published right away or, if Kafka is unavailable, by the outbox relay later.
   * 400 names each invalid field; 401 without a valid token.
   */
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Send a message' })
  @ApiCreatedResponse({ type: MessageView })
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateMessageDto): Promise<MessageView> {
    return MessageView.from(await this.messages.create(user.id, dto));
  }

  /** One message, for its sender or a recipient; 404 for anyone else and for malformed ids. */
  @Get(':id')
  @ApiOperation({ summary: 'Get a message you sent or received' })
  @ApiOkResponse({ type: MessageView })
  findOne(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<MessageView> {
    return this.messages.findForUser(id, user.id);
  }
}
