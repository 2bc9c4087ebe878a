import { Module } from '@nestjs/common';
import { MessagesDalModule } from '../dal/dal.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ConversationAccess } from './conversation-access';
import { IdempotencyService } from './idempotency.service';
import { MessageGroupCommit } from './message-group-commit';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

/**
 * Sending and reading messages: `POST /api/v1/messages` (group commit, Idempotency-Key) and `GET
 * /api/v1/messages/:id`.
 */
@Module({
  imports: [MessagesDalModule, OutboxModule],
  controllers: [MessagesController],
  providers: [MessagesService, MessageGroupCommit, IdempotencyService, ConversationAccess],
})
export class MessagesModule {}
