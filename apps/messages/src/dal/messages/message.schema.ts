import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/** Outbox state of a message's `message.created` event, as the API reports it. */
export type PublishState = 'pending' | 'published';

/**
 * A message, stored in collection `messages`. Its `message.created` event is fixed when it is
 * stored (`eventId`); until Kafka acknowledged that event, a copy of the message waits in an outbox
 * entry (collection `outbox`, see `OutboxEntry`), so the messages collection itself is written once
 * per message and never updated.
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
}

/** A message as written with the driver (complete, no mongoose defaults needed) and read back lean. */
export type StoredMessage = Message & { _id: Types.ObjectId };
export const MessageSchema = SchemaFactory.createForClass(Message);

// GET /messages/:id authorisation and conversation listing: participant first.
MessageSchema.index({ participants: 1, createdAt: -1 });
// Conversation history, newest first.
MessageSchema.index({ conversationId: 1, createdAt: -1, _id: -1 });
MessageSchema.index({ eventId: 1 }, { unique: true });
