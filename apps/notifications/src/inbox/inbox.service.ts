import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { cursorPage } from '@herald/http';
import { FilterQuery, trusted, Types } from 'mongoose';
import { CountView } from './dto/count.view';
import { ListNotificationsQuery, NotificationFilterQuery } from './dto/list-notifications.query';
import { NotificationPage, NotificationView } from './dto/notification.view';
import { ReadAllDto, UpdateNotificationDto } from './dto/update-notification.dto';
import { bucketKey, hourOf, hourStartId } from './inbox-bucket';
import { InboxBucketDirectory } from './inbox-bucket.directory';
import { InboxEvents } from './inbox-events';
import { NotificationDoc, NotificationRepository } from '../dal/notifications/notification.repository';
import { Notification } from '../dal/notifications/notification.schema';
import { notificationsSettings, NotificationsSettings } from '../notifications.settings';

/** Hours queried concurrently in the first round of a walk; each next round doubles. */
const WALK_FIRST_ROUND = 6;
/** Newest hours a count of a walked inbox probes before the plain count. */
export const COUNT_PROBE_HOURS = 12;

/** The state flags of a notification and the date each one mirrors. */
const STATE_FIELDS = { read: 'readAt', seen: 'seenAt', archived: 'archivedAt' } as const;

/**
 * The Mongo filter of an inbox query: always the user's own, archived excluded unless asked.
 * Operators are wrapped in `trusted()`: they are ours, and `sanitizeFilter` would neutralise them.
 *
 * "Not read / seen / archived" is written twice: `readAt: null` (exact, also for documents stored
 * before the boolean flags existed) and `read: { $ne: true }`. The embedded FerretDB v1.24 pushes
 * a top-level `$ne` on a boolean down to PostgreSQL but never a null equality
 * (internal/backends/postgresql/query.go, prepareWhereClause), so PostgreSQL drops read ones before
 * FerretDB decodes them; on MongoDB the flag is a residual filter on the
 * `recipientId, archivedAt, readAt, _id` index scan. "Read / seen / archived" stays `readAt: {$ne: null}`.
 */
export function inboxFilter(userId: string, q: NotificationFilterQuery): FilterQuery<Notification> {
  return { recipientId: userId, ...stateFilter(q) };
}

/**
 * The state part of {@link inboxFilter} (no recipient): also what "open" means to the digest fold
 * (`OPEN_HEAD` in consumer/notification.writer.ts, `{read: false, archived: false}`), so that a
 * message folds only into a notification the inbox shows as unread and not archived.
 */
export function stateFilter(q: NotificationFilterQuery): FilterQuery<Notification> {
  const filter: FilterQuery<Notification> = {};
  const wanted: Record<keyof typeof STATE_FIELDS, boolean | undefined> = {
    archived: q.archived ?? false,
    read: q.read,
    seen: q.seen,
  };
  for (const [flag, date] of Object.entries(STATE_FIELDS) as Array<[keyof typeof STATE_FIELDS, string]>) {
    const v = wanted[flag];
    if (v === undefined) continue;
    if (v) {
      filter[date] = trusted({ $ne: null });
    } else {
      filter[date] = null;
      filter[flag] = trusted({ $ne: true });
    }
  }
  return filter;
}

/**
 * Reads and updates one user's inbox. Every query is scoped by `recipientId`, so a user can
 * never read or change another user's notifications (those answer 404, like missing ones).
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly events: InboxEvents,
    private readonly buckets: InboxBucketDirectory,
    @Inject(notificationsSettings.KEY) private readonly settings: NotificationsSettings,
  ) {}

  /**
   * A page of notifications, newest first (by `_id`, descending). The cursor is the `_id` of the
   * last item: items stored after the first page was read sort before it, so paging never skips
   * or repeats an item while new notifications arrive. Fetches `limit + 1` to know `hasMore`.
   *
   * For a user with many recorded hours (inbox-bucket.directory.ts) it reads the hour buckets
   * newest first, in rounds of 6, 12, 24… hours queried concurrently (one equality query each),
   * until the page is full or `WALK_MAX_HOURS` hours were read; whatever is left of the page comes
   * from the plain query over everything older than the last hour read (or than the cursor). The
   * hours partition `_id` (a notification's bucket is its `_id`'s hour), so the parts never overlap
   * and the page equals what the plain query alone would answer.
   */
  async list(userId: string, q: ListNotificationsQuery): Promise<NotificationPage> {
    return cursorPage(
      q.limit,
      (want) => this.newest(userId, q, want, q.after ? new Types.ObjectId(q.after) : undefined),
      (last) => last._id.toHexString(),
      (page) => page.map((d) => NotificationView.from(d)),
    );
  }

  /**
   * The `want` newest notifications matching the filters, below `cursor` if given: the hour walk
   * described at {@link list}, then the plain query for the rest.
   */
  private async newest(
    userId: string,
    q: NotificationFilterQuery,
    want: number,
    cursor?: Types.ObjectId,
  ): Promise<NotificationDoc[]> {
    const hours = await this.buckets.hoursFor(userId, cursor);
    const bound = cursor && { op: '$lt' as const, id: cursor };
    const { docs, last } = await this.walkHours(userId, hours, want, (hour) =>
      this.notifications.newestFirst(this.hourFilter(userId, q, hour, bound), want),
    );
    if (docs.length < want) {
      const below = last !== undefined ? hourStartId(last) : cursor;
      const filter = inboxFilter(userId, q);
      if (below) filter._id = trusted({ $lt: below });
      docs.push(...(await this.notifications.newestFirst(filter, want - docs.length)));
    }
    return docs;
  }

  /**
   * Reads `hours` in their order, in concurrent rounds of 6, 12, 24… hours, keeping the user's own
   * notifications (the bucket names the recipient; checked again so a page can only ever hold the
   * user's own) until `want` are found.
   * @returns what was found, in hour order, and the last hour read (none when `hours` is empty)
   */
  private async walkHours(
    userId: string,
    hours: readonly number[],
    want: number,
    fetch: (hour: number) => Promise<NotificationDoc[]>,
  ): Promise<{ docs: NotificationDoc[]; last?: number }> {
    const docs: NotificationDoc[] = [];
    let last: number | undefined;
    for (let i = 0, round = WALK_FIRST_ROUND; i < hours.length && docs.length < want; i += round, round *= 2) {
      const part = hours.slice(i, i + round);
      for (const got of await Promise.all(part.map(fetch)))
        docs.push(...got.filter((d) => d.recipientId === userId).slice(0, want - docs.length));
      last = part[part.length - 1];
    }
    return { docs, last };
  }

  /**
   * The filter of one hour of the inbox: the inbox filter with the hour's `bucket` in place of
   * `recipientId` (the bucket names the recipient; one index fewer for PostgreSQL to intersect),
   * with `bound` (`_id` below or above an id) in that id's own hour: every other hour lies wholly
   * on one side of it.
   */
  private hourFilter(
    userId: string,
    q: NotificationFilterQuery,
    hour: number,
    bound?: { op: '$lt' | '$gt'; id: Types.ObjectId },
  ): FilterQuery<Notification> {
    const { recipientId: _scoped, ...filter } = inboxFilter(userId, q);
    filter.bucket = bucketKey(hour, userId);
    if (bound && hour === hourOf(bound.id)) filter._id = trusted({ [bound.op]: bound.id });
    return filter;
  }

  /**
   * Notifications stored after `afterId` (oldest first, at most `limit`), for SSE `Last-Event-ID`
   * resume. Archived ones are skipped. For a walked inbox (see {@link list}) it reads the recorded
   * hours from `afterId`'s on, oldest first, in concurrent rounds; the plain query (everything after
   * the last hour read, or after `afterId`) only when those hours were not all of them.
   */
  async since(userId: string, afterId: string, limit = 100): Promise<NotificationView[]> {
    const after = new Types.ObjectId(afterId);
    const { hours, complete } = await this.buckets.hoursSince(userId, after);
    const bound = { op: '$gt' as const, id: after };
    const { docs, last } = await this.walkHours(userId, hours, limit, (hour) =>
      this.notifications.oldestFirst(this.hourFilter(userId, {}, hour, bound), limit),
    );
    if (docs.length < limit && !(complete && hours.length > 0)) {
      const above = last !== undefined ? hourStartId(last + 1) : after;
      docs.push(
        ...(await this.notifications.oldestFirst(
          { ...inboxFilter(userId, {}), _id: trusted({ $gt: above }) },
          limit - docs.length,
        )),
      );
    }
    return docs.map((d) => NotificationView.from(d));
  }

  /**
   * Number of notifications matching the filters (e.g. `read=false` → unread count), at most
   * `INBOX_COUNT_MAX`: `capped` is true when there are at least that many (the count stops there;
   * MongoDB manual, `countDocuments` option `limit`). The embedded FerretDB counts by decoding each
   * matching document, so the cap bounds what it decodes for a huge inbox; PostgreSQL still returns
   * every matching row. So a walked inbox (see {@link list}) is first probed: its newest hour is
   * counted (one equality); if that hour is dense enough for `COUNT_PROBE_HOURS` hours to reach the
   * cap, the next ones are counted concurrently; when the probe reaches the cap the answer is the
   * cap, else the plain count answers. Measured: probing every walked inbox costs more than it saves
   * below the densest ones, and walking all hours for every count is slower still (unread
   * notifications are sparse in older hours).
   */
  async count(userId: string, q: NotificationFilterQuery): Promise<CountView> {
    const max = this.settings.INBOX_COUNT_MAX;
    const [newest, ...older] = (await this.buckets.hoursFor(userId)).slice(0, COUNT_PROBE_HOURS);
    if (newest !== undefined) {
      const countHour = (h: number) => this.notifications.count(this.hourFilter(userId, q, h), max);
      let n = await countHour(newest);
      // Only an inbox whose newest hour is dense enough to reach the cap within the probe goes on.
      if (n < max && n * (older.length + 1) >= max)
        n += (await Promise.all(older.map(countHour))).reduce((a, b) => a + b, 0);
      if (n >= max) return { count: max, capped: true };
    }
    const count = await this.notifications.count(inboxFilter(userId, q), max);
    return { count, capped: count >= max };
  }

  /**
   * Sets (true) or clears (false) `readAt` / `seenAt` / `archivedAt` and their flags `read` /
   * `seen` / `archived`.
   *
   * Looked up and updated by a lone `_id` (the one filter the embedded FerretDB answers from an
   * index on both backends: SQLite `_id` path index, PostgreSQL GIN on `_jsonb->'_id'`), the owner
   * checked in code in between. `recipientId` is never changed after the insert, so the check cannot
   * go stale before the update; a notification deleted meanwhile (retention) answers 404 as well.
   * @throws NotFoundException for another user's or a missing notification
   */
  async update(userId: string, id: string, dto: UpdateNotificationDto): Promise<NotificationView> {
    const now = new Date();
    const set: Record<string, Date | boolean | null> = {};
    for (const [flag, date] of Object.entries(STATE_FIELDS) as Array<[keyof typeof STATE_FIELDS, string]>) {
      const v = dto[flag];
      if (v === undefined) continue;
      set[date] = v ? now : null;
      set[flag] = v;
    }
    const _id = new Types.ObjectId(id);
    if ((await this.notifications.recipientOf(_id)) !== userId) throw new NotFoundException('notification not found');
    const doc = await this.notifications.setFields(_id, set);
    if (!doc) throw new NotFoundException('notification not found');
    this.events.notifyChanged(userId);
    return NotificationView.from(doc);
  }

  /**
   * Marks every unread, non-archived notification (optionally of one conversation) read: sets
   * `readAt` and `read`. Filter as in {@link inboxFilter} (`conversationId` a plain equality the
   * embedded FerretDB pushes down).
   */
  async readAll(userId: string, dto: ReadAllDto): Promise<number> {
    const filter = inboxFilter(userId, { read: false });
    if (dto.conversationId) filter.conversationId = dto.conversationId;
    const modified = await this.notifications.setMatching(filter, { readAt: new Date(), read: true });
    if (modified > 0) this.events.notifyChanged(userId);
    return modified;
  }
}
