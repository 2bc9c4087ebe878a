import { Types } from 'mongoose';
import { toNotificationCreatedEvent } from '../../push/notification-push.publisher';
import { Notification } from '../../dal/notifications/notification.schema';
import { NotificationView } from './notification.view';

describe('NotificationView: one API shape for GET and for the notification.created push', () => {
  const stored = {
    _id: new Types.ObjectId(),
    recipientId: 'bob',
    type: 'message.created',
    eventId: '0b1e7c1e-52a4-4c1f-9d59-5d8a3b7c2f10',
    messageId: new Types.ObjectId().toHexString(),
    conversationId: 'dm_alice_bob',
    senderId: 'alice',
    preview: 'Lunch at noon?',
    createdAt: new Date('2026-12-07T12:00:00.000Z'),
    storedAt: new Date('2026-12-07T12:00:00.120Z'),
    read: false,
    archived: false,
  } as unknown as Notification & { _id: Types.ObjectId };

  it('maps the record of a new notification exactly as GET maps the stored one', () => {
    const pushed = NotificationView.fromCreated(toNotificationCreatedEvent(stored).data);
    expect(pushed).toEqual(NotificationView.from(stored));
    expect(pushed).toMatchObject({ id: stored._id.toHexString(), eventId: stored.eventId, count: 1, readAt: null });
  });
});
