import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MessageStoreModule } from '../messages/message-store.module';
import { OutboxModule } from '../outbox/outbox.module';
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
    MongooseModule.forFeature([{ name: Conversation.name, schema: ConversationSchema }]),
    MessageStoreModule,
    OutboxModule,
  ],
  controllers: [ConversationsController, ConversationProjection],
  providers: [ConversationsService, ConversationProjector],
  exports: [ConversationsService],
})
export class ConversationsModule {}
