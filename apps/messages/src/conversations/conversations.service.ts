import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { PAGE_LIMIT_DEFAULT } from '@herald/http';
import { FilterQuery, Model, trusted, Types } from 'mongoose';
import { Limits } from '@herald/contracts';
import { MessageView } from '../messages/dto/message.view';
import { Message, MessageDocument, StoredMessage } from '../messages/message.schema';
import { OutboxStore } from '../outbox/outbox.store';
import { Conversation } from './conversation.schema';
import { decodeCursor, encodeCursor } from './cursor';
import { ConversationPage, ConversationView } from './dto/conversation.view';
import { PageQuery } from './dto/page.query';


/** One page of a conversation's messages, newest first. */
export interface MessagePage {
  data: MessageView[];
  nextCursor: string | null;
  hasMore: boolean;
}

/**
 * The read side of messaging: a user's conversations and a conversation's history.
 * Operator filters are wrapped in `trusted()` (they are ours; `sanitizeFilter` is on).
 */
@Injectable()
export class ConversationsService {
  private readonly logger = new Logger(ConversationsService.name);

  constructor(
    @InjectModel(Conversation.name) private readonly conversations: Model<Conversation>,
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly outbox: OutboxStore,
  ) {}

  /**
   * Folds a stored message into its conversation summary (participants, last message). Best effort:
   * the message is already durable, so a failure here is logged, not thrown; the history endpoint
   * reads `messages` directly and stays exact.
   */
  async recordMessage(m: MessageDocument): Promise<void> {
    try {
      await this.conversations.updateOne(
        { _id: m.conversationId },
        { $setOnInsert: { createdAt: m.createdAt }, $addToSet: { participants: { $each: m.participants } }, $max: { lastMessageAt: m.createdAt } },
        { upsert: true },
      );
      await this.conversations.updateOne(
        { _id: m.conversationId, lastMessageAt: m.createdAt },
        { $set: { lastMessage: { id: m._id.toHexString(), senderId: m.senderId, preview: [...m.body].slice(0, Limits.previewLength).join(''), createdAt: m.createdAt } } },
      );
    } catch (err) {
      this.logger.warn(`conversation ${m.conversationId} summary not updated for message ${m._id.toHexString()}: ${(err as Error).message}`);
    }
  }

  /** The user's conversations, most recently active first; cursor = (lastMessageAt, id). */
  async list(userId: string, q: PageQuery): Promise<ConversationPage> {
    const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
    const filter: FilterQuery<Conversation> = { participants: userId };
    if (q.after) {
      const p = decodeCursor(q.after);
      filter.$or = [{ lastMessageAt: trusted({ $lt: p.at }) }, { lastMessageAt: p.at, _id: trusted({ $lt: p.id }) }];
    }
    const docs = await this.conversations.find(filter).sort({ lastMessageAt: -1, _id: -1 }).limit(limit + 1).lean().exec();
    const hasMore = docs.length > limit;
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((c) => ConversationView.from(c)),
      nextCursor: hasMore && last ? encodeCursor({ at: last.lastMessageAt, id: last._id }) : null,
      hasMore,
    };
  }

  /**
   * Messages of a conversation the user takes part in, newest first; cursor = last message id.
   * @throws NotFoundException (404) when the user has no message in that conversation
   * @throws BadRequestException (400) for a malformed cursor
   */
  async history(userId: string, conversationId: string, q: PageQuery): Promise<MessagePage> {
    const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
    const filter: FilterQuery<Message> = { conversationId, participants: userId };
    if (q.after) {
      if (!/^[a-f0-9]{24}$/i.test(q.after)) decodeCursor('!'); // throws the 400 for `after`
      filter._id = trusted({ $lt: new Types.ObjectId(q.after) });
    }
    // Also with a cursor: a non-participant gets 404, never an empty 200 page.
    if (!(await this.messages.exists({ conversationId, participants: userId }))) {
      throw new NotFoundException('conversation not found');
    }
    const docs = await this.messages.find(filter).sort({ _id: -1 }).limit(limit + 1).lean<StoredMessage[]>().exec();
    const hasMore = docs.length > limit;
    const page = docs.slice(0, limit);
    const pending = await this.outbox.pendingAmong(page.map((d) => d._id));
    return {
      data: page.map((d) => MessageView.from(d, pending.has(d._id.toHexString()) ? 'pending' : 'published')),
      nextCursor: hasMore ? page[page.length - 1]._id.toHexString() : null,
      hasMore,
    };
  }
}
