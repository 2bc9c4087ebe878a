import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { mongo, Types } from 'mongoose';
import type { StoredMessage } from '../messages/message.schema';

/**
 * One group commit's outbox entry, in collection `outbox` (transactional outbox without a
 * transaction: FerretDB has none). Written **before** its messages, deleted once Kafka acknowledged
 * their `message.created` events. The collection therefore holds only events not yet acknowledged,
 * so the relay's poll reads O(pending) documents, never the stored messages.
 *
 * `payload` holds complete copies of the messages (one BSON binary, see `packOutboxMessages`): when
 * the process died between this write and the messages' `insertMany`, the relay stores them
 * (duplicates ignored) before publishing, so nothing is ever half-stored.
 */
@Schema({ collection: 'outbox', versionKey: false })
export class OutboxEntry {
  /** `_id`s of `messages`, for "is this message's event still pending?" (GET /messages/:id). */
  @Prop({ type: [Types.ObjectId], required: true })
  messageIds!: Types.ObjectId[];

  /**
   * The messages, as stored in `messages`: the BSON document `{ messages: [...] }` as one binary
   * value (`packOutboxMessages` / `unpackOutboxEntry` in outbox-payload.ts).
   */
  @Prop({ type: Buffer })
  payload?: mongo.Binary;

  /** The messages as an array of documents: entries written before `payload` existed (read only). */
  @Prop({ type: [Object], default: undefined })
  messages?: StoredMessage[];

  @Prop({ required: true })
  createdAt!: Date;

  /**
   * Earliest time the relay may publish this entry: `createdAt + OUTBOX_RELAY_MIN_AGE_MS` (the
   * request path is still on it), later a backoff after failures or the lease of the relay that
   * claimed it.
   */
  @Prop({ required: true })
  nextAttemptAt!: Date;

  /** Failed publish attempts so far. */
  @Prop({ required: true, default: 0 })
  attempts!: number;

  @Prop({ type: String, default: null })
  lastError!: string | null;
}

/** An outbox entry as the repository returns it: with its message copies unpacked. */
export type StoredOutboxEntry = Omit<OutboxEntry, 'payload' | 'messages'> & {
  _id: Types.ObjectId;
  messages: StoredMessage[];
};
export const OutboxEntrySchema = SchemaFactory.createForClass(OutboxEntry);

// Relay: due entries, oldest first.
OutboxEntrySchema.index({ nextAttemptAt: 1, createdAt: 1 });
// GET /messages/:id: is the message still in the outbox?
OutboxEntrySchema.index({ messageIds: 1 });
