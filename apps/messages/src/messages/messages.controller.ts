import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AuthUser, CurrentUser } from '@herald/auth';
import { ApiErrorResponses, Patterns } from '@herald/contracts';
import { CreateMessageDto } from './dto/create-message.dto';
import { MessageView } from './dto/message.view';
import { MessagesService } from './messages.service';

/** Accepted shape of an `Idempotency-Key` header value. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

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
   *
   * `Idempotency-Key` (optional, 1..128 chars of `[A-Za-z0-9_.:-]`): a retry with the same key and
   * body returns the original message (201, header `Idempotent-Replayed: true`) and creates no second
   * message or event; the same key with a different body → 422. Keys are per sender, kept ≥ 24 h.
   */
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Send a message' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Makes retries safe (per sender, kept ≥ 24 h)',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
  })
  @ApiCreatedResponse({ type: MessageView })
  @ApiErrorResponses(404, 409, 413, 415, 422)
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateMessageDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MessageView> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException({
        message: 'Invalid request: Idempotency-Key',
        details: [
          { field: 'Idempotency-Key', errors: ['Idempotency-Key must be 1..128 characters of A-Z a-z 0-9 _ . : -'] },
        ],
      });
    }
    const { message, created } = await this.messages.create(user.id, dto, idempotencyKey);
    if (!created) reply.header('Idempotent-Replayed', 'true');
    return message;
  }

  /** One message, for its sender or a recipient; 404 for anyone else and for malformed ids. */
  @Get(':id')
  @ApiOperation({ summary: 'Get a message you sent or received' })
  @ApiOkResponse({ type: MessageView })
  @ApiErrorResponses(404, 414)
  @ApiParam({
    name: 'id',
    description: 'MongoDB ObjectId (anything else is simply not found)',
    schema: { type: 'string', pattern: Patterns.objectId.source },
  })
  findOne(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<MessageView> {
    return this.messages.findForUser(id, user.id);
  }
}
