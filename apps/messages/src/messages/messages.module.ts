import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConversationsModule } from '../conversations/conversations.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ConversationAccess } from './conversation-access';
import { IdempotencyKey, IdempotencyKeySchema } from './idempotency-key.schema';
import { IdempotencyService } from './idempotency.service';
import { MessageGroupCommit } from './message-group-commit';
import { MessageStoreModule } from './message-store.module';
import { MessageRetention } from './message-retention';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

/** Sending and reading messages. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: IdempotencyKey.name, schema: IdempotencyKeySchema }]),
    MessageStoreModule,
    OutboxModule,
    ConversationsModule,
  ],
  controllers: [MessagesController],
  providers: [MessagesService, MessageGroupCommit, IdempotencyService, MessageRetention, ConversationAccess],
})
export class MessagesModule {}
