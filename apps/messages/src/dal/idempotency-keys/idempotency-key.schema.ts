import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/**
 * An `Idempotency-Key` a sender used, in collection `idempotency_keys`.
 *
 * `_id` is `<senderId>:<key>`, so keys are per sender and unique by construction (no extra index,
 * works on MongoDB and FerretDB alike). The message id and event id are chosen when the key is
 * first seen, so every retry of the request targets the same message document and the same event.
 * Kept at least 24 h: a TTL index where the server supports it, otherwise kept indefinitely.
 */
@Schema({ collection: 'idempotency_keys', versionKey: false })
export class IdempotencyKey {
  @Prop({ type: String, required: true })
  _id!: string;

  /** SHA-256 (hex) of the canonical request body: a different body with the same key → 422. */
  @Prop({ required: true })
  requestHash!: string;

  @Prop({ type: Types.ObjectId, required: true })
  messageId!: Types.ObjectId;

  @Prop({ required: true })
  eventId!: string;

  @Prop({ required: true })
  createdAt!: Date;
}

export const IdempotencyKeySchema = SchemaFactory.createForClass(IdempotencyKey);
