import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/**
 * A fold marker (collection `digest_folds`): the message `<eventId>` was folded into notification
 * `n` for `<recipientId>`. Written before the fold's update, read when the same event comes again
 * (Kafka redelivery, outbox republish), see notification.writer.ts.
 */
@Schema({ collection: 'digest_folds', versionKey: false })
export class DigestFold {
  /** `<eventId>|<recipientId>` (foldKey). */
  @Prop({ type: String, required: true })
  _id!: string;

  /** The notification the message was folded into. */
  @Prop({ type: Types.ObjectId, required: true })
  n!: Types.ObjectId;

  /** `<topic>/<partition>:<minute of occurredAt>` (markerBucket): the equality the consumer finds markers by. */
  @Prop({ type: String, required: true })
  m!: string;

  /** When it was written (drives retention: {@link DIGEST_FOLD_TTL_SECONDS}). */
  @Prop({ type: Date, required: true })
  at!: Date;
}

export const DigestFoldSchema = SchemaFactory.createForClass(DigestFold);
DigestFoldSchema.index({ m: 1 });

/**
 * How long a marker is kept, in seconds: 7 days, Kafka's default topic retention (`retention.ms`):
 * an event comes again by redelivery (uncommitted offsets: seconds) or republish (the outbox relay:
 * seconds to the length of a broker outage), never after its records can no longer be read.
 */
export const DIGEST_FOLD_TTL_SECONDS = 7 * 86_400;
