import { ApiProperty } from '@nestjs/swagger';
import { PublishState, StoredMessage } from '../../dal/messages/message.schema';

/** A message as the API returns it. */
export class MessageView {
  @ApiProperty({ example: '665f1c2e8b3e4a0012345678', description: 'MongoDB ObjectId' })
  id!: string;

  @ApiProperty({ example: 'dm_5f2c…' })
  conversationId!: string;

  @ApiProperty({ example: 'alice' })
  senderId!: string;

  @ApiProperty({ type: [String], example: ['bob'] })
  recipientIds!: string[];

  @ApiProperty({ example: 'Lunch at noon?' })
  body!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({
    description:
      'Outbox state of the message.created event: `published` once Kafka acknowledged it, `pending` while it waits in the outbox for the relay',
    enum: ['pending', 'published'],
  })
  publishState!: PublishState;

  /** @param publishState whether the message's event is acknowledged (`published`) or still in the outbox */
  static from(doc: StoredMessage, publishState: PublishState): MessageView {
    return {
      id: doc._id.toHexString(),
      conversationId: doc.conversationId,
      senderId: doc.senderId,
      recipientIds: doc.recipientIds,
      body: doc.body,
      createdAt: doc.createdAt,
      publishState,
    };
  }
}
