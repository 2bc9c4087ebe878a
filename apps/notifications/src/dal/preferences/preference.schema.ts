import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One muted conversation of a user. */
export class ConversationMute {
  conversationId!: string;
  /** End of the mute (exclusive); null = until unmuted. */
  until!: Date | null;
}

/**
 * One user's notification preferences (collection `preferences`, one document per user, `_id` =
 * the user id, so the consumer reads a batch's recipients by `_id`: lone `_id` lookups for a few,
 * one `$in` for many, see `PREFERENCE_LONE_READS_MAX`). Conversation ids can hold `.`,
 * which MongoDB reads as a path separator in update keys, so mutes are an array, not an object
 * keyed by conversation; every change rewrites the document under an optimistic revision (`rev`).
 */
@Schema({ collection: 'preferences', versionKey: false })
export class Preference {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: [{ _id: false, conversationId: String, until: { type: Date, default: null } }], default: [] })
  mutes!: ConversationMute[];

  /** Notification types the user turned off (see `NotificationTypes`). */
  @Prop({ type: [String], default: [] })
  disabledTypes!: string[];

  /** Revision, +1 per change: a write applies only over the revision it read. */
  @Prop({ type: Number, required: true })
  rev!: number;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const PreferenceSchema = SchemaFactory.createForClass(Preference);
