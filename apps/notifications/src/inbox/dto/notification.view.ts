import { ApiProperty } from '@nestjs/swagger';
import { Types } from 'mongoose';
import { NotificationCreatedData } from '@herald/contracts';
import { Notification } from '../../dal/notifications/notification.schema';

/** A notification as the API returns it. */
export class NotificationView {
  @ApiProperty({ example: '665f1c2e8b3e4a0012345679' }) id!: string;
  @ApiProperty({ example: 'bob' }) recipientId!: string;
  @ApiProperty({ example: 'message.created' }) type!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: '665f1c2e8b3e4a0012345678' }) messageId!: string;
  @ApiProperty({ example: 'dm_5f2c…' }) conversationId!: string;
  @ApiProperty({ example: 'alice' }) senderId!: string;
  @ApiProperty({ maxLength: 140, example: 'Lunch at noon?' }) preview!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) seenAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) archivedAt!: Date | null;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    example: 1,
    description: 'Messages folded into this notification (digest of a burst), itself included',
  })
  count!: number;
  @ApiProperty({
    type: [String],
    example: ['alice'],
    description: 'Distinct senders of the folded messages (first 10)',
  })
  senderIds!: string[];
  @ApiProperty({ type: String, format: 'date-time', description: 'createdAt of the latest message folded in' })
  lastMessageAt!: Date;

  /** The API shape of a stored notification (a mongoose document or a lean one). */
  static from(d: Notification & { _id: Types.ObjectId }): NotificationView {
    return {
      id: d._id.toHexString(),
      recipientId: d.recipientId,
      type: d.type,
      eventId: d.eventId,
      messageId: d.messageId,
      conversationId: d.conversationId,
      senderId: d.senderId,
      preview: d.preview,
      createdAt: d.createdAt,
      seenAt: d.seenAt ?? null,
      readAt: d.readAt ?? null,
      archivedAt: d.archivedAt ?? null,
      count: 1 + (d.folded ?? 0),
      senderIds: d.senderIds ?? [d.senderId],
      lastMessageAt: d.lastMessageAt ?? d.createdAt,
    };
  }

  /**
   * The API shape of the notification a `notification.created` record announces (what the SSE
   * stream and the socket push, so a client handles it like an item of GET): a new notification of
   * one message, not seen, read or archived yet. The same mapping as {@link from}; the record's
   * `sourceEventId` (the `message.created` event's id: the record has an `eventId` of its own) is
   * the notification's `eventId`.
   */
  static fromCreated(d: NotificationCreatedData): NotificationView {
    const { id, sourceEventId, ...fields } = d;
    return NotificationView.from({ ...fields, _id: new Types.ObjectId(id), eventId: sourceEventId } as Notification & {
      _id: Types.ObjectId;
    });
  }
}

/** One page of notifications, newest first. */
export class NotificationPage {
  @ApiProperty({ type: [NotificationView] }) data!: NotificationView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `after` for the next page; null on the last page',
  })
  nextCursor!: string | null;
  @ApiProperty() hasMore!: boolean;
}
