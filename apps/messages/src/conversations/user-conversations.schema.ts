import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * One user's conversations, in collection `user_conversations` (`_id` = userId): conversation id →
 * its `lastMessageAt`, kept by the conversation projection next to the summaries. `GET
 * /conversations` reads this one document by its lone `_id`, sorts in code and then reads the
 * page's summaries by `_id`: on FerretDB v1.24 (SQLite) only `_id`-only filters are pushed down,
 * so the list no longer scans every conversation. The keys are {@link encodeConversationKey}d
 * (a conversation id may contain `.`, which MongoDB reads as a path separator).
 *
 * Size: one entry per conversation the user takes part in (≈ id length + 8 bytes), far below the
 * 16 MiB document limit (MongoDB manual, "BSON Document Size") for tens of thousands of conversations.
 */
@Schema({ collection: 'user_conversations', versionKey: false })
export class UserConversations {
  @Prop({ type: String, required: true })
  _id!: string;

  /** Encoded conversation id → `lastMessageAt` of that conversation. */
  @Prop({ type: Object, required: true })
  conversations!: Record<string, Date>;
}

export const UserConversationsSchema = SchemaFactory.createForClass(UserConversations);

/**
 * A conversation id as a field name: `.` → `%2E`. Conversation ids are `[A-Za-z0-9_.@:-]`
 * (`ID_PATTERN`), so `%` never occurs in them and the encoding is reversible; none starts with `$`.
 */
export const encodeConversationKey = (conversationId: string): string => conversationId.replace(/\./g, '%2E');

/** Inverse of {@link encodeConversationKey}. */
export const decodeConversationKey = (key: string): string => key.replace(/%2E/g, '.');
