import { Type } from 'class-transformer';
import { Equals, IsDefined, IsObject, IsDate, IsMongoId, IsString, MaxLength, ValidateNested } from 'class-validator';
import { EventEnvelope } from './envelope';
import { Limits } from './limits';
import { Topics } from './topics';

/** Payload of `notification.created` v1: the notification as stored in the inbox. */
export class NotificationCreatedData {
  /** MongoDB ObjectId of the stored notification. */
  @IsMongoId()
  id!: string;

  @IsString()
  @MaxLength(Limits.idMaxLength)
  recipientId!: string;

  @IsString()
  type!: string;

  /** eventId of the `message.created` event this notification came from. */
  @IsString()
  sourceEventId!: string;

  @IsMongoId()
  messageId!: string;

  @IsString()
  conversationId!: string;

  @IsString()
  senderId!: string;

  @IsString()
  @MaxLength(Limits.previewLength)
  preview!: string;

  @Type(() => Date)
  @IsDate()
  createdAt!: Date;
}

/**
 * `notification.created`, version 1: published by the notifications app after a notification is
 * stored (key = recipientId). Every instance consumes it in its own consumer group (broadcast) to
 * push it to the recipient's open real-time streams.
 */
export class NotificationCreatedEvent extends EventEnvelope<NotificationCreatedData> {
  static readonly type = Topics.NotificationCreated;
  static readonly version = 1;

  @Equals(Topics.NotificationCreated)
  type!: typeof Topics.NotificationCreated;

  @Equals(NotificationCreatedEvent.version)
  version!: 1;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => NotificationCreatedData)
  data!: NotificationCreatedData;
}
