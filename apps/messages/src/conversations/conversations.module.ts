import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Message, MessageSchema } from '../messages/message.schema';
import { ConversationProjection } from './conversation.projection';
import { ConversationProjector } from './conversation.projector';
import { Conversation, ConversationSchema } from './conversation.schema';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';

/**
 * The messaging read side: conversation list and history (HTTP), and the projection that keeps
 * the conversation summaries from `message.created` (Kafka, consumer group `conversations`).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Conversation.name, schema: ConversationSchema },
      { name: Message.name, schema: MessageSchema },
    ]),
  ],
  controllers: [ConversationsController, ConversationProjection],
  providers: [ConversationsService, ConversationProjector],
  exports: [ConversationsService],
})
export class ConversationsModule {}
