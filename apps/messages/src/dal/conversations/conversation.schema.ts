import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** Summary of a conversation's latest message, denormalised for the conversation list. */
export class LastMessage {
  @Prop({ required: true }) id!: string;
  @Prop({ required: true }) senderId!: string;
  /** First 140 characters of the body. */
  @Prop({ required: true }) preview!: string;
  @Prop({ required: true }) createdAt!: Date;
}

/**
 * A conversation, in collection `conversations` (`_id` = conversationId): a read model kept by the
 * messages app as messages are stored, so listing a user's conversations is one indexed query
 * (FerretDB v1 lacks the `$group` accumulators an aggregation over `messages` would need).
 */
@Schema({ collection: 'conversations', versionKey: false })
export class Conversation {
  @Prop({ type: String, required: true })
  _id!: string;

  /** Everyone who sent or received a message in it. */
  @Prop({ type: [String], required: true })
  participants!: string[];

  @Prop({ required: true })
  createdAt!: Date;

  /** createdAt of the newest message (`$max`, so concurrent writers never move it backwards). */
  @Prop({ required: true })
  lastMessageAt!: Date;

  @Prop({ type: LastMessage, default: null })
  lastMessage!: LastMessage | null;
}

export const ConversationSchema = SchemaFactory.createForClass(Conversation);
ConversationSchema.index({ participants: 1, lastMessageAt: -1, _id: -1 });
