import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConversationRepository } from './conversations/conversation.repository';
import { Conversation, ConversationSchema } from './conversations/conversation.schema';
import { IdempotencyKeyRepository } from './idempotency-keys/idempotency-key.repository';
import { IdempotencyKey, IdempotencyKeySchema } from './idempotency-keys/idempotency-key.schema';
import { MessageRepository } from './messages/message.repository';
import { Message, MessageSchema } from './messages/message.schema';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxEntry, OutboxEntrySchema } from './outbox/outbox-entry.schema';

/**
 * The messages app's data-access layer: each collection (schema and indexes) behind one
 * repository, the only code that queries it. Features (messages, outbox, conversations) depend on
 * these repositories, never on each other's collections.
 *
 * | collection | repository |
 * | --- | --- |
 * | `messages` | {@link MessageRepository} |
 * | `outbox` | {@link OutboxRepository} |
 * | `conversations` | {@link ConversationRepository} |
 * | `idempotency_keys` | {@link IdempotencyKeyRepository} |
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Message.name, schema: MessageSchema },
      { name: OutboxEntry.name, schema: OutboxEntrySchema },
      { name: Conversation.name, schema: ConversationSchema },
      { name: IdempotencyKey.name, schema: IdempotencyKeySchema },
    ]),
  ],
  providers: [MessageRepository, OutboxRepository, ConversationRepository, IdempotencyKeyRepository],
  exports: [MessageRepository, OutboxRepository, ConversationRepository, IdempotencyKeyRepository],
})
export class MessagesDalModule {}
