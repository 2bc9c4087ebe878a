import { ConflictException, Injectable, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { isDuplicateKeyError } from '@herald/mongo';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { ConversationAccess } from './conversation-access';
import { deriveConversationId } from './conversation-id';
import { CreateMessageDto } from './dto/create-message.dto';
import { MessageView } from './dto/message.view';
import { IdempotencyService, ReservedIdentity } from './idempotency.service';
import { MessageGroupCommit } from './message-group-commit';
import { StoredMessage } from '../dal/messages/message.schema';
import { DocumentWriteError, MessageRepository } from '../dal/messages/message.repository';
import { Patterns } from '@herald/contracts';

/** Result of {@link MessagesService.create}: the message, and whether this call created it. */
export interface CreateResult {
  message: MessageView;
  /** false when an Idempotency-Key retry returned the message of an earlier request. */
  created: boolean;
}

/** Builds the complete message document of a request (pure apart from the clock). */
export function buildMessage(
  senderId: string,
  dto: CreateMessageDto,
  identity: ReservedIdentity,
  now = new Date(),
): StoredMessage {
  const recipientIds = [...new Set(dto.recipientIds)];
  return {
    _id: identity.messageId,
    conversationId: dto.conversationId ?? deriveConversationId(senderId, recipientIds),
    senderId,
    recipientIds,
    participants: [...new Set([senderId, ...recipientIds])].sort(),
    body: dto.body,
    createdAt: now,
    eventId: identity.eventId,
  };
}

/** Stores messages and gets their events to Kafka (through the group commit and the outbox). */
@Injectable()
export class MessagesService {
  constructor(
    private readonly commit: MessageGroupCommit,
    private readonly store: MessageRepository,
    private readonly outbox: OutboxRepository,
    private readonly idempotency: IdempotencyService,
    private readonly access: ConversationAccess,
  ) {}

  /**
   * Stores the message (durable, with its outbox entry, before anything is published) and
   * publishes its `message.created` event, both in a group commit with concurrent requests (see
   * {@link MessageGroupCommit}). A failed or slow publish does not fail the request: the event
   * stays in the outbox and the relay publishes it later (`publishState: 'pending'`).
   *
   * With an `idempotencyKey`, a retry returns the first request's message (`created: false`) and
   * publishes nothing new; concurrent retries race on the reserved message id and one wins.
   *
   * @throws UnprocessableEntityException (422) when the key was used with another body
   * @throws BadRequestException / NotFoundException for a conversation the sender may not post to
   *   (see {@link ConversationAccess})
   * @throws ConflictException (409) when the server refused this message's document as a duplicate
   *   key (its id or event id is held by another message) and it is no replay; nothing was stored
   * @throws InternalServerErrorException (500; the server's reason goes to the log) when the server rejected
   *   this message's document for another reason; the other messages of its group are unaffected
   * @throws MongoDB errors when the message cannot be stored (nothing was accepted then)
   */
  async create(senderId: string, dto: CreateMessageDto, idempotencyKey?: string): Promise<CreateResult> {
    await this.access.assertMayPost(senderId, dto);
    const identity = idempotencyKey
      ? await this.idempotency.reserve(senderId, idempotencyKey, dto)
      : { messageId: new Types.ObjectId(), eventId: randomUUID() };
    const doc = buildMessage(senderId, dto, identity);
    try {
      const { published } = await this.commit.submit(doc);
      return { message: MessageView.from(doc, published ? 'published' : 'pending'), created: true };
    } catch (err) {
      const existing =
        idempotencyKey && isDuplicateKeyError(err) ? await this.store.findById(identity.messageId) : null;
      if (existing) return { message: await this.view(existing), created: false };
      throw rejection(err);
    }
  }

  /**
   * A message the user sent or received: a lone `_id` lookup, then the participant check in code.
   * @throws NotFoundException (404) when the id is malformed, missing, or the user is not a participant
   */
  async findForUser(id: string, userId: string): Promise<MessageView> {
    if (!Patterns.objectId.test(id)) throw new NotFoundException('message not found');
    const doc = await this.store.findById(new Types.ObjectId(id));
    if (!doc || !doc.participants.includes(userId)) throw new NotFoundException('message not found');
    return this.view(doc);
  }

  private async view(doc: StoredMessage): Promise<MessageView> {
    return MessageView.from(doc, (await this.outbox.isPending(doc._id)) ? 'pending' : 'published');
  }
}

/**
 * The answer to a POST whose document the server rejected within its group (the group's other
 * messages are stored): 409 for a duplicate key (MongoDB code 11000), 500 otherwise (the server's
 * reason is logged with the cause, not answered); any other error as it is (e.g. the database
 * unreachable: 503 from the HTTP filter).
 */
function rejection(err: unknown): unknown {
  if (!(err instanceof DocumentWriteError)) return err;
  if (isDuplicateKeyError(err))
    return new ConflictException('message not stored: its id or event id is already taken by another message');
  return new InternalServerErrorException('message not stored: the database rejected it', { cause: err });
}
