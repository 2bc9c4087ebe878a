import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * The hours in which a user received notifications (collection `inbox_buckets`, one document per
 * user, looked up by a lone `_id`): the directory the inbox walks instead of scanning the whole
 * inbox (see inbox-bucket.ts). Written by the consumer before the notifications themselves, so an
 * hour is never missing for a stored notification; an hour listed with nothing left in it (all
 * archived or expired) costs one empty query.
 */
@Schema({ collection: 'inbox_buckets', versionKey: false })
export class InboxBuckets {
  /** The recipient's user id. */
  @Prop({ type: String, required: true })
  _id!: string;

  /** Hours since the epoch (UTC) holding at least one of the user's notifications. */
  @Prop({ type: [Number], default: [] })
  hours!: number[];

  /** The first hour recorded: notifications before or in it may predate buckets. */
  @Prop({ type: Number, required: true })
  since!: number;
}

export const InboxBucketsSchema = SchemaFactory.createForClass(InboxBuckets);
