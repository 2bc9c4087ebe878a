import { Injectable, NotFoundException } from '@nestjs/common';
import { cursorPage } from '@herald/http';
import { Types } from 'mongoose';
import { ConversationRepository } from '../dal/conversations/conversation.repository';
import { MessageRepository } from '../dal/messages/message.repository';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { MessageView } from '../messages/dto/message.view';
import { decodeCursor, encodeCursor } from './cursor';
import { ConversationPage, ConversationView } from './dto/conversation.view';
import { PageQuery } from './dto/page.query';
import { Patterns } from '@herald/contracts';

/** One page of a conversation's messages, newest first. */
export interface MessagePage {
  data: MessageView[];
  nextCursor: string | null;
  hasMore: boolean;
}

/**
 * The read side of messaging: a user's conversations and a conversation's history. The list reads
 * the summaries the projection keeps (`ConversationProjector`, consumer group
 * `conversations`), so it may lag the newest messages by the projection's delay; the history reads
 * `messages` itself and is exact right after the 201.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly messages: MessageRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** The user's conversations, most recently active first; cursor = (lastMessageAt, id). */
  async list(userId: string, q: PageQuery): Promise<ConversationPage> {
    const after = q.after ? decodeCursor(q.after) : undefined;
    return cursorPage(
      q.limit,
      (want) => this.conversations.listForUser(userId, want, after),
      (last) => encodeCursor({ at: last.lastMessageAt, id: last._id }),
      (page) => page.map((c) => ConversationView.from(c)),
    );
  }

  /**
   * Messages of a conversation the user takes part in, newest first; cursor = last message id.
   * @throws NotFoundException (404) when the user has no message in that conversation
   * @throws BadRequestException (400) for a malformed cursor
   */
  async history(userId: string, conversationId: string, q: PageQuery): Promise<MessagePage> {
    if (q.after && !Patterns.objectId.test(q.after)) decodeCursor('!'); // throws the 400 for `after`
    // Also with a cursor: a non-participant gets 404, never an empty 200 page.
    if (!(await this.messages.existsInConversation(conversationId, userId))) {
      throw new NotFoundException('conversation not found');
    }
    const after = q.after ? new Types.ObjectId(q.after) : undefined;
    return cursorPage(
      q.limit,
      (want) => this.messages.historyPage(conversationId, userId, want, after),
      (last) => last._id.toHexString(),
      async (page) => {
        const pending = await this.outbox.pendingAmong(page.map((d) => d._id));
        return page.map((d) => MessageView.from(d, pending.has(d._id.toHexString()) ? 'pending' : 'published'));
      },
    );
  }
}
