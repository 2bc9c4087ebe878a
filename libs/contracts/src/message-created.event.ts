import { Type } from 'class-transformer';
import {
  IsDefined,
  IsObject,
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsDate,
  IsInt,
  IsMongoId,
  Min,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { EventEnvelope } from './envelope';
import { Limits } from './limits';
import { Topics } from './topics';

/** Payload (`data`) of `message.created` v1: the stored message as the messages app saved it. */
export class MessageCreatedDataV1 {
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
 * Payload of `message.created` v2 (the current one): v1 plus `mentions`. Additive, so a consumer
 * built with the v1 contract ({@link MessageCreatedEventV1}) reads a v2 record as v1 (the unknown
 * field is stripped). See docs/events.md, "Compatibility rules".
 */
export class MessageCreatedData extends MessageCreatedDataV1 {
  /**
   * User ids written as `@id` in the body that are also among `recipientIds` (distinct, in order of
   * first appearance; parsed by the messages app). `[]` when there are none, and for v1 records
   * (see {@link upcastMessageCreated}).
   */
  @IsArray()
  @ArrayMaxSize(Limits.maxRecipients)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(Limits.idMaxLength, { each: true })
  mentions!: string[];
}

/**
 * The version rule of every `message.created` contract: any integer from 1 on. Versions of one
 * event type only ever add fields (docs/events.md), so a record of a later version than the
 * contract knows is read with the fields the contract knows; the unknown ones are stripped.
 */
function AcceptsVersionsFromOne(): PropertyDecorator {
  return (target, key) => {
    IsInt({ message: 'version must be an integer ≥ 1' })(target, key);
    Min(1, { message: 'version must be an integer ≥ 1' })(target, key);
  };
}

/**
 * `message.created` as the v1 contract defined it (no `mentions`): kept so that what a consumer
 * built before v2 does can be tested (rolling deploys: old consumers read v2 records), and as the
 * reference of what v1 records hold. New code uses {@link MessageCreatedEvent}.
 */
export class MessageCreatedEventV1 extends EventEnvelope<MessageCreatedDataV1> {
  static readonly type = Topics.MessageCreated;
  static readonly version = 1;

  @Equals(Topics.MessageCreated)
  type!: typeof Topics.MessageCreated;

  @AcceptsVersionsFromOne()
  version!: number;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MessageCreatedDataV1)
  data!: MessageCreatedDataV1;
}

/**
 * The one place older `message.created` versions are brought to the current shape, before
 * validation (called by {@link decodeEvent} through {@link MessageCreatedEvent.upcast}): a v1
 * record gets `data.mentions = []` (v1 had no mentions). Later versions are left as they are.
 * Pure; returns the input when there is nothing to do.
 */
export function upcastMessageCreated(plain: Record<string, unknown>): Record<string, unknown> {
  const data = plain.data;
  if (plain.version !== 1 || typeof data !== 'object' || data === null || Array.isArray(data)) return plain;
  return { ...plain, data: { ...(data as Record<string, unknown>), mentions: [] } };
}

/**
 * `message.created`, version 2 (current; v1 is accepted and upcast, see {@link upcastMessageCreated}):
 * a message was accepted and stored by the messages app.
 *
 * Topic {@link Topics.MessageCreated}; key = `data.conversationId`; value = this envelope as JSON.
 * Versions: docs/events.md.
 */
export class MessageCreatedEvent extends EventEnvelope<MessageCreatedData> {
  static readonly type = Topics.MessageCreated;
  /** The version producers write. */
  static readonly version = 2;
  static readonly upcast = upcastMessageCreated;

  @Equals(Topics.MessageCreated)
  type!: typeof Topics.MessageCreated;

  @AcceptsVersionsFromOne()
  version!: number;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MessageCreatedData)
  data!: MessageCreatedData;
}
