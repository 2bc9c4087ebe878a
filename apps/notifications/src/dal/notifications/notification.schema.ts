import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * One notification in one user's inbox, stored in collection `notifications`.
 * `(eventId, recipientId)` is unique: a redelivered event can never create a second notification.
 */
@Schema({ collection: 'notifications', versionKey: false })
export class Notification {
  @Prop({ required: true })
  recipientId!: string;

  /**
   * `message.created` (a message to the recipient; a digest of a burst) or `message.mentioned` (see
   * NotificationTypes).
   */
  @Prop({ required: true })
  type!: string;

  /** eventId of the source event (deduplication key together with recipientId). */
  @Prop({ required: true })
  eventId!: string;

  @Prop({ required: true })
  messageId!: string;

  @Prop({ required: true })
  conversationId!: string;

  @Prop({ required: true })
  senderId!: string;

  /** First 140 characters of the message body (of the latest message folded in, for a digest). */
  @Prop({ required: true })
  preview!: string;

  /** When the source message was created. */
  @Prop({ required: true })
  createdAt!: Date;

  /** When this notification was stored (drives retention). */
  @Prop({ required: true })
  storedAt!: Date;

  @Prop({ type: Date, default: null })
  seenAt!: Date | null;

  @Prop({ type: Date, default: null })
  readAt!: Date | null;

  @Prop({ type: Date, default: null })
  archivedAt!: Date | null;
  /**
   * Flags mirroring `readAt` / `seenAt` / `archivedAt` (true when the date is set), kept in step
   * by every write. They exist for the query shape: the embedded FerretDB pushes a boolean `$ne`
   * down to its storage, never a null equality (see inboxFilter). Missing on documents stored
   * before they existed: queries treat a missing flag like false and also test the date.
   */
  @Prop({ type: Boolean, default: false })
  read!: boolean;
  @Prop({ type: Boolean, default: false })
  seen!: boolean;
  @Prop({ type: Boolean, default: false })
  archived!: boolean;

  /**
   * `"<hour>:<recipientId>"`, the hour being that of `_id`'s timestamp (inbox-bucket.ts): the one
   * equality that selects an hour of one inbox. Missing on documents stored before it existed
   * (the inbox reads those with its plain query).
   */
  @Prop({ type: String })
  bucket?: string;

  /**
   * Digest of bursts (consumer/digest-plan.ts, notification.writer.ts): the fields below are
   * missing until a message is folded in (a notification of one message is stored exactly as
   * before digests). `folded` = messages folded in besides the first (missing = 0), always
   * `eventIds.length`: both change in one update guarded by `eventIds: {$ne: <eventId>}` (and
   * `eventId: {$ne: <eventId>}`), so folding an event again (redelivery) changes nothing.
   */
  @Prop({ type: Number })
  folded?: number;

  /** eventIds of the messages folded in (the first one is `eventId`). */
  @Prop({ type: [String], default: undefined })
  eventIds?: string[];

  /** Distinct senders, the first one first, at most {@link Limits.digestSenderIds} (10); missing = `[senderId]`. */
  @Prop({ type: [String], default: undefined })
  senderIds?: string[];

  /** `createdAt` of the latest message folded in; missing = `createdAt`. */
  @Prop({ type: Date })
  lastMessageAt?: Date;

  /** messageId of the latest message folded in; missing = `messageId`. */
  @Prop({ type: String })
  lastMessageId?: string;
}

export const NotificationSchema = SchemaFactory.createForClass(Notification);

// Effectively-once storage (MongoDB manual, "Unique Indexes").
NotificationSchema.index({ eventId: 1, recipientId: 1 }, { unique: true });
// Inbox listing newest first with cursor on _id, and the unread/unseen filters (recipient first).
NotificationSchema.index({ recipientId: 1, _id: -1 });
NotificationSchema.index({ recipientId: 1, archivedAt: 1, readAt: 1, _id: -1 });
NotificationSchema.index({ recipientId: 1, archivedAt: 1, seenAt: 1, _id: -1 });
NotificationSchema.index({ recipientId: 1, conversationId: 1, readAt: 1 });
// One hour of one inbox, newest first (the inbox's walk over hour buckets, inbox-bucket.ts).
NotificationSchema.index({ bucket: 1, _id: -1 });
