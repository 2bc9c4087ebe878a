import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument } from 'mongoose';

/** Outbox state of a message's `message.created` event. */
export type PublishState = 'pending' | 'published';

/**
 * A message, stored in collection `messages`. The document is also its own outbox entry
 * (transactional outbox without a transaction): `eventId` is fixed when the message is stored and
 * `publish.state` moves from `pending` to `published` once Kafka acknowledged the event.
 */
@Schema({ collection: 'messages', versionKey: false })
export class Message {
  @Prop({ required: true })
  conversationId!: string;

  @Prop({ required: true })
  senderId!: string;

  @Prop({ type: [String], required: true })
  recipientIds!: string[];

  /** Sender + recipients, sorted and distinct: who may read the message. */
  @Prop({ type: [String], required: true })
  participants!: string[];

  @Prop({ required: true })
  body!: string;

  @Prop({ required: true })
  createdAt!: Date;

  /** eventId of the `message.created` event; the same on every republish. */
  @Prop({ required: true })
  eventId!: string;

  @Prop({ required: true, default: 'pending' })
  publishState!: PublishState;

  /** Publish attempts made so far (request path + relay). */
  @Prop({ required: true, default: 0 })
  publishAttempts!: number;

  @Prop({ type: String, default: null })
  lastPublishError!: string | null;

  @Prop({ type: Date, default: null })
  publishedAt!: Date | null;

  /** Earliest time the relay may try again (exponential backoff). */
  @Prop({ type: Date, default: null })
  nextAttemptAt!: Date | null;
}

export type MessageDocument = HydratedDocument<Message>;
export const MessageSchema = SchemaFactory.createForClass(Message);

// GET /messages/:id authorisation and conversation listing: participant first.
MessageSchema.index({ participants: 1, createdAt: -1 });
// Conversation history, newest first.
MessageSchema.index({ conversationId: 1, createdAt: -1, _id: -1 });
// Outbox relay: pending messages in creation order.
MessageSchema.index({ publishState: 1, createdAt: 1 });
MessageSchema.index({ eventId: 1 }, { unique: true });
