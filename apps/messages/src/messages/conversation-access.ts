import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { MessageRepository } from '../dal/messages/message.repository';
import { DERIVED_PREFIX, deriveConversationId } from './conversation-id';
import { CreateMessageDto } from './dto/create-message.dto';

/**
 * Who may post into a conversation named by the client (`conversationId` in the body). Without
 * this, anyone could post into a conversation whose id they know or can compute (derived ids are a
 * hash of the participants' ids), join its participants in the conversation list and read the
 * preview of its latest message there: a broken object-level authorisation (OWASP API Security
 * Top 10 2023, API1 "BOLA").
 *
 * - a `dm_` id must be the one derived from the sender and the recipients (a direct conversation is
 *   its participant set; messaging other people starts another one) → 400 otherwise;
 * - any other id that already has messages accepts only senders who took part in it → 404
 *   otherwise, exactly like a conversation that does not exist for them. The first message to an
 *   unused id creates the conversation (two first messages racing on a new id both get in).
 */
@Injectable()
export class ConversationAccess {
  constructor(private readonly messages: MessageRepository) {}

  /**
   * @throws BadRequestException (400, field `conversationId`) for a `dm_` id that is not the derived one
   * @throws NotFoundException (404) for a conversation the sender takes no part in
   */
  async assertMayPost(senderId: string, dto: CreateMessageDto): Promise<void> {
    const id = dto.conversationId;
    if (id === undefined || id === null) return;
    if (id.startsWith(DERIVED_PREFIX)) {
      if (id === deriveConversationId(senderId, dto.recipientIds)) return;
      throw new BadRequestException({
        message: 'Invalid request: conversationId',
        details: [
          {
            field: 'conversationId',
            errors: [`ids starting with ${DERIVED_PREFIX} are derived from the participants: omit conversationId`],
          },
        ],
      });
    }
    if (!(await this.messages.existsInConversation(id))) return;
    if (await this.messages.existsInConversation(id, senderId)) return;
    throw new NotFoundException('conversation not found');
  }
}
