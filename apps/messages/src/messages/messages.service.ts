import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '@herald/config';
import { isDuplicateKeyError } from '@herald/mongo';
import { ConversationAccess } from './conversation-access';
import { OutboxPublisher } from '../outbox/outbox.publisher';
import { deriveConversationId } from './conversation-id';
import { CreateMessageDto } from './dto/create-message.dto';
import { MessageView } from './dto/message.view';
import { IdempotencyService, ReservedIdentity } from './idempotency.service';
import { Message, MessageDocument } from './message.schema';

/** Result of {@link MessagesService.create}: the message, and whether this call created it. */
export interface CreateResult {
  message: MessageDocument;
  /** false when an Idempotency-Key retry returned the message of an earlier request. */
  created: boolean;
}

/** Stores messages and hands their events to the outbox. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly outbox: OutboxPublisher,
    private readonly idempotency: IdempotencyService,
    private readonly config: AppConfig,
    private readonly access: ConversationAccess,
  ) {}

  /**
   * Stores the message (durable before anything is published), then tries to publish its
   * `message.created` event once. A failed or slow publish does not fail the request: the message
   * stays `pending` and the outbox relay publishes it later.
   *
   * With an `idempotencyKey`, a retry returns the first request's message (`created: false`) and
   * publishes nothing new; concurrent retries race on the reserved message id and one wins.
   *
   * @throws UnprocessableEntityException (422) when the key was used with another body
   * @throws BadRequestException / NotFoundException for a conversation the sender may not post to
   *   (see {@link ConversationAccess})
   * @throws MongoDB errors when the message cannot be stored (nothing was accepted then)
   */
  async create(senderId: string, dto: CreateMessageDto, idempotencyKey?: string): Promise<CreateResult> {
    await this.access.assertMayPost(senderId, dto);
    const identity = idempotencyKey
      ? await this.idempotency.reserve(senderId, idempotencyKey, dto)
      : { messageId: new Types.ObjectId(), eventId: randomUUID() };
    let doc: MessageDocument;
    try {
      doc = await this.store(senderId, dto, identity);
    } catch (err) {
      if (!idempotencyKey || !isDuplicateKeyError(err)) throw err;
      const existing = await this.messages.findById(identity.messageId).exec();
      if (!existing) throw err;
      return { message: existing, created: false };
    }
    if (this.config.env.FAULT_CRASH_AFTER_STORE) {
      // Test-only fault hook (refused in production): die between the insert and the publish.
      process.kill(process.pid, 'SIGKILL');
    }
    // The event (outbox: on failure the message stays pending for the relay). The conversation
    // summary is no longer written here: the `conversations` consumer group projects it from the event.
    await this.outbox.publish(doc);
    return { message: doc, created: true };
  }

  /** Inserts the message as `pending` with the given ids. */
  private store(senderId: string, dto: CreateMessageDto, identity: ReservedIdentity): Promise<MessageDocument> {
    const recipientIds = [...new Set(dto.recipientIds)];
    return this.messages.create({
      _id: identity.messageId,
      conversationId: dto.conversationId ?? deriveConversationId(senderId, recipientIds),
      senderId,
      recipientIds,
      participants: [...new Set([senderId, ...recipientIds])].sort(),
      body: dto.body,
      createdAt: new Date(),
      eventId: identity.eventId,
      publishState: 'pending',
      publishAttempts: 0,
    });
  }

  /**
   * A message the user sent or received.
   * @throws NotFoundException (404) when the id is malformed, missing, or the user is not a participant
   */
  async findForUser(id: string, userId: string): Promise<MessageView> {
    if (!/^[a-f0-9]{24}$/i.test(id)) throw new NotFoundException('message not found');
    const doc = await this.messages.findOne({ _id: new Types.ObjectId(id), participants: userId }).exec();
    if (!doc) throw new NotFoundException('message not found');
    return MessageView.from(doc);
  }
}
