import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { PAGE_LIMIT_DEFAULT } from '@herald/http';
import { FilterQuery, Model, trusted, Types } from 'mongoose';
import { ListNotificationsQuery, NotificationFilterQuery } from './dto/list-notifications.query';
import { NotificationPage, NotificationView } from './dto/notification.view';
import { ReadAllDto, UpdateNotificationDto } from './dto/update-notification.dto';
import { InboxEvents } from './inbox-events';
import { Notification } from './notification.schema';


/**
 * The Mongo filter of an inbox query: always the user's own, archived excluded unless asked.
 * Operators are wrapped in `trusted()`: they are ours, and `sanitizeFilter` would neutralise them.
 */
export function inboxFilter(userId: string, q: NotificationFilterQuery): FilterQuery<Notification> {
  const filter: FilterQuery<Notification> = { recipientId: userId, archivedAt: q.archived ? trusted({ $ne: null }) : null };
  if (q.read !== undefined) filter.readAt = q.read ? trusted({ $ne: null }) : null;
  if (q.seen !== undefined) filter.seenAt = q.seen ? trusted({ $ne: null }) : null;
  return filter;
}

/**
 * Reads and updates one user's inbox. Every query is scoped by `recipientId`, so a user can
 * never read or change another user's notifications (those answer 404, like missing ones).
 */
@Injectable()
export class InboxService {
  constructor(
    @InjectModel(Notification.name) private readonly notifications: Model<Notification>,
    private readonly events: InboxEvents,
  ) {}

  /**
   * A page of notifications, newest first (by `_id`, descending). The cursor is the `_id` of the
   * last item: items stored after the first page was read sort before it, so paging never skips
   * or repeats an item while new notifications arrive. Fetches `limit + 1` to know `hasMore`.
   */
  async list(userId: string, q: ListNotificationsQuery): Promise<NotificationPage> {
    const limit = q.limit ?? PAGE_LIMIT_DEFAULT;
    const filter = inboxFilter(userId, q);
    if (q.after) filter._id = trusted({ $lt: new Types.ObjectId(q.after) });
    const docs = await this.notifications.find(filter).sort({ _id: -1 }).limit(limit + 1).exec();
    const hasMore = docs.length > limit;
    const page = docs.slice(0, limit);
    return {
      data: page.map((d) => NotificationView.from(d)),
      nextCursor: hasMore ? page[page.length - 1]._id.toHexString() : null,
      hasMore,
    };
  }

  /**
   * Notifications stored after `afterId` (oldest first, at most `limit`), for SSE `Last-Event-ID`
   * resume. Archived ones are skipped.
   */
  async since(userId: string, afterId: string, limit = 100): Promise<NotificationView[]> {
    const docs = await this.notifications
      .find({ recipientId: userId, archivedAt: null, _id: trusted({ $gt: new Types.ObjectId(afterId) }) })
      .sort({ _id: 1 })
      .limit(limit)
      .exec();
    return docs.map((d) => NotificationView.from(d));
  }

  /** Number of notifications matching the filters (e.g. `read=false` → unread count). */
  count(userId: string, q: NotificationFilterQuery): Promise<number> {
    return this.notifications.countDocuments(inboxFilter(userId, q)).exec();
  }

  /**
   * Sets (true) or clears (false) `readAt` / `seenAt` / `archivedAt`.
   * @throws NotFoundException for another user's or a missing notification
   */
  async update(userId: string, id: string, dto: UpdateNotificationDto): Promise<NotificationView> {
    const now = new Date();
    const set: Partial<Record<'readAt' | 'seenAt' | 'archivedAt', Date | null>> = {};
    if (dto.read !== undefined) set.readAt = dto.read ? now : null;
    if (dto.seen !== undefined) set.seenAt = dto.seen ? now : null;
    if (dto.archived !== undefined) set.archivedAt = dto.archived ? now : null;
    const doc = await this.notifications
      .findOneAndUpdate({ _id: new Types.ObjectId(id), recipientId: userId }, { $set: set }, { new: true })
      .exec();
    if (!doc) throw new NotFoundException('notification not found');
    this.events.notifyChanged(userId);
    return NotificationView.from(doc);
  }

  /** Marks every unread, non-archived notification (optionally of one conversation) read. */
  async readAll(userId: string, dto: ReadAllDto): Promise<number> {
    const filter: FilterQuery<Notification> = { recipientId: userId, readAt: null, archivedAt: null };
    if (dto.conversationId) filter.conversationId = dto.conversationId;
    const res = await this.notifications.updateMany(filter, { $set: { readAt: new Date() } }).exec();
    if (res.modifiedCount > 0) this.events.notifyChanged(userId);
    return res.modifiedCount;
  }
}
