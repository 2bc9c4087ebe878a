import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsDate,
  IsDefined,
  IsInt,
  IsMongoId,
  IsObject,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EventEnvelope } from './envelope';
import { Limits } from './limits';

/** Payload of `notification.updated` v1: the digest state of a notification after a message was folded into it. */
export class NotificationUpdatedData {
  /** MongoDB ObjectId of the notification. */
  @IsMongoId()
  id!: string;

  @IsString()
  @MaxLength(Limits.idMaxLength)
  recipientId!: string;

  @IsString()
  conversationId!: string;

  /** Messages folded into the notification, itself included (≥ 2 once updated). */
  @IsInt()
  @Min(1)
  count!: number;

  /** Distinct senders, first {@link Limits.digestSenderIds}. */
  @IsArray()
  @ArrayMaxSize(Limits.digestSenderIds)
  @IsString({ each: true })
  senderIds!: string[];

  /** Preview of the latest message folded in. */
  @IsString()
  @MaxLength(Limits.previewLength)
  preview!: string;

  /** `createdAt` of the latest message folded in. */
  @Type(() => Date)
  @IsDate()
  lastMessageAt!: Date;
}

/**
 * `notification.updated`, version 1: a message was folded into an unread notification (digest of
 * bursts). Published on the push topic `notification.created` with key = recipientId, beside the
 * `notification.created` events, so the pushes of one recipient keep their order (one key, one
 * partition); the broadcast consumer tells them apart by `type`.
 */
export class NotificationUpdatedEvent extends EventEnvelope<NotificationUpdatedData> {
  static readonly type = 'notification.updated';
  static readonly version = 1;

  @Equals(NotificationUpdatedEvent.type)
  type!: 'notification.updated';

  @Equals(NotificationUpdatedEvent.version)
  version!: 1;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationUpdatedData)
  data!: NotificationUpdatedData;
}
