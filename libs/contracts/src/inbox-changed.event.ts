import { Type } from 'class-transformer';
import { Equals, IsDefined, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { EventEnvelope } from './envelope';
import { Limits } from './limits';
import { Topics } from './topics';

/** Payload of `inbox.changed` v1: whose inbox changed. The count itself is read by each instance. */
export class InboxChangedData {
  /** The user whose notifications were marked read/seen/archived. */
  @IsString()
  @MaxLength(Limits.idMaxLength)
  userId!: string;
}

/**
 * `inbox.changed`, version 1: published by the notifications app after a PATCH or read-all changed
 * a user's inbox (key = userId). Every instance consumes it in its own broadcast group (the same
 * group as `notification.created`) and pushes the user's recounted `unread-count.changed` to the
 * streams and sockets it holds for them. It carries no count: each instance counts after receiving
 * it, so the last count pushed is always taken after the last change (no stale value can overtake).
 */
export class InboxChangedEvent extends EventEnvelope<InboxChangedData> {
  static readonly type = Topics.InboxChanged;
  static readonly version = 1;

  @Equals(Topics.InboxChanged)
  type!: typeof Topics.InboxChanged;

  @Equals(InboxChangedEvent.version)
  version!: 1;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => InboxChangedData)
  data!: InboxChangedData;
}
