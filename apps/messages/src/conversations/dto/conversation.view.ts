import { ApiProperty } from '@nestjs/swagger';
import { Conversation, LastMessage } from '../../dal/conversations/conversation.schema';

/** A conversation in the list. */
export class ConversationView {
  @ApiProperty({ example: 'dm_5f2c…' }) id!: string;
  @ApiProperty({ type: [String], example: ['alice', 'bob'] }) participants!: string[];
  @ApiProperty({ type: String, format: 'date-time' }) lastMessageAt!: Date;
  @ApiProperty({ type: LastMessage, nullable: true }) lastMessage!: LastMessage | null;

  static from(c: Conversation): ConversationView {
    return {
      id: c._id,
      participants: c.participants,
      lastMessageAt: c.lastMessageAt,
      lastMessage: c.lastMessage ?? null,
    };
  }
}

/** One page of conversations, most recently active first. */
export class ConversationPage {
  @ApiProperty({ type: [ConversationView] }) data!: ConversationView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}
