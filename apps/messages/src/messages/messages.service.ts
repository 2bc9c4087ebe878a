import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isValidObjectId, Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { OutboxPublisher } from '../outbox/outbox.publisher';
import { deriveConversationId } from './conversation-id';
import { CreateMessageDto } from './dto/create-message.dto';
import { MessageView } from './dto/message.view';
import { Message, MessageDocument } from './message.schema';

/** Stores messages and hands their events to the outbox. */
@Injectable()
export class MessagesService {
  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly outbox: OutboxPublisher,
  ) {}

  /**
   * Stores the message (durable before anything is published), then tries to publish its
   * `message.created` event once. A failed or slow publish does not fail the request: the message
   * stays `pending` and the outbox relay publishes it later.
   *
   * @throws MongoDB errors when the message cannot be stored (the request then fails: nothing was accepted)
   */
  async create(senderId: string, dto: CreateMessageDto): Promise<MessageDocument> {
    const doc = await this.store(senderId, dto);
    await this.outbox.publish(doc);
    return doc;
  }

  /** Inserts the message as `pending` with a fresh eventId. */
  async store(senderId: string, dto: CreateMessageDto): Promise<MessageDocument> {
    const recipientIds = [...new Set(dto.recipientIds)];
    return this.messages.create({
      conversationId: dto.conversationId ?? deriveConversationId(senderId, recipientIds),
      senderId,
      recipientIds,
      participants: [...new Set([senderId, ...recipientIds])].sort(),
      body: dto.body,
      createdAt: new Date(),
      eventId: randomUUID(),
      publishState: 'pending',
      publishAttempts: 0,
    });
  }

  /**
   * A message the user sent or received.
   * @throws NotFoundException (404) when the id is malformed, missing, or the user is not a participant
   */
  async findForUser(id: string, userId: string): Promise<MessageView> {
    if (!isValidObjectId(id) || !/^[a-f0-9]{24}$/i.test(id)) throw new NotFoundException('message not found');
    const doc = await this.messages.findOne({ _id: id, participants: userId }).exec();
    if (!doc) throw new NotFoundException('message not found');
    return MessageView.from(doc);
  }
}
