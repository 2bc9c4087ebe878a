import { Module } from '@nestjs/common';
import { MessagesDalModule } from '../dal/dal.module';
import { ConversationProjection } from './conversation.projection';
import { ConversationProjector } from './conversation.projector';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';

/**
 * The messaging read side: conversation list and history (HTTP), and the projection that keeps
 * the conversation summaries from `message.created` (Kafka, consumer group `conversations`).
 */
@Module({
  imports: [MessagesDalModule],
  controllers: [ConversationsController, ConversationProjection],
  providers: [ConversationsService, ConversationProjector],
})
export class ConversationsModule {}
