import { Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsDate,
  IsMongoId,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { EventEnvelope } from './envelope';
import { Limits } from './limits';
import { Topics } from './topics';

/** Payload (`data`) of `message.created` v1: the stored message as the messages app saved it. */
export class MessageCreatedData {
  /** MongoDB ObjectId (24 hex chars) of the message in the `messages` collection. */
  @IsMongoId()
  messageId!: string;

  /** Conversation the message belongs to; also the Kafka record key (per-conversation order). */
  @IsString()
  @MinLength(1)
  @MaxLength(Limits.idMaxLength)
  conversationId!: string;

  /** User id of the sender (the JWT `sub` of the request that created the message). */
  @IsString()
  @MinLength(1)
  @MaxLength(Limits.idMaxLength)
  senderId!: string;

  /** 1..100 distinct user ids. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(Limits.maxRecipients)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(Limits.idMaxLength, { each: true })
  recipientIds!: string[];

  /** Message text, 1..4000 characters. */
  @IsString()
  @MinLength(1)
  @MaxLength(Limits.bodyMaxLength)
  body!: string;

  @Type(() => Date)
  @IsDate()
  createdAt!: Date;
}

/**
 * `message.created`, version 1: a message was accepted and stored by the messages app.
 *
 * Topic {@link Topics.MessageCreated}; key = `data.conversationId`; value = this envelope as JSON.
 */
export class MessageCreatedEvent extends EventEnvelope<MessageCreatedData> {
  static readonly type = Topics.MessageCreated;
  static readonly version = 1;

  @Equals(Topics.MessageCreated)
  type!: typeof Topics.MessageCreated;

  @Equals(MessageCreatedEvent.version, { message: 'unsupported version: expected $constraint1' })
  version!: 1;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MessageCreatedData)
  data!: MessageCreatedData;
}
