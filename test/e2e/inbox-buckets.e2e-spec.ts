import mongoose from 'mongoose';
import request from 'supertest';
import { MessageCreatedEvent } from '@herald/contracts';
import { notificationsFor, StoredNotification } from '../../apps/notifications/src/consumer/notification.writer';
import { hourOf } from '../../apps/notifications/src/inbox/inbox-bucket';
import { InboxBucketDirectory, WALK_MIN_HOURS } from '../../apps/notifications/src/inbox/inbox-bucket.directory';
import { COUNT_PROBE_HOURS, InboxService } from '../../apps/notifications/src/inbox/inbox.service';
import { NotificationRetention } from '../../apps/notifications/src/inbox/notification-retention';
import { startApps, RunningApps } from '../support/apps';
import { testServers, uniqueUser } from '../support/env';

type Page = { data: Array<{ id: string }>; nextCursor: string | null; hasMore: boolean };

const HOUR = 3_600_000;
/**
 * INBOX_COUNT_MAX for this file's apps: below what the newest COUNT_PROBE_HOURS hours hold unread
 * (the probe answers), below the archived total (the plain count answers, capped), above zero.
 */
const COUNT_MAX = 12;

/**
 * The inbox's walk over hour buckets (inbox-bucket.ts) answers exactly what the plain query
 * would: a heavy inbox (more recorded hours than WALK_MIN_HOURS), with notifications stored
 * before buckets existed (no `bucket`, older than the directory's first hour), read and archived
 * ones, paged to the end by cursor, equals the whole inbox sorted by `_id`. The directory is
 * written by the app's own InboxBucketDirectory against the real server.
 */
describe('inbox hour buckets', () => {
  let apps: RunningApps;
  let conn: mongoose.Connection;
  let directory: InboxBucketDirectory;
  const user = uniqueUser('heavy');
  let token: string;
  const stored: StoredNotification[] = [];

  const event = (i: number): MessageCreatedEvent =>
    ({
      eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      type: 'message.created',
      version: 1,
      occurredAt: new Date(),
      data: {
        messageId: new mongoose.Types.ObjectId().toHexString(),
        conversationId: `walk-${user}`,
        senderId: 'alice',
        recipientIds: [user],
        body: `#${i}`,
        createdAt: new Date(),
      },
    }) as MessageCreatedEvent;

  beforeAll(async () => {
    apps = await startApps({ INBOX_COUNT_MAX: String(COUNT_MAX) });
    token = await apps.token(user);
    directory = apps.notifications.get(InboxBucketDirectory);
    conn = await mongoose.createConnection(testServers().MONGODB_URI).asPromise();
    const now = Date.now();
    let i = 0;
    // Legacy: stored before buckets existed, 500-520 hours ago, no `bucket` field.
    const legacy = Array.from({ length: 21 }, (_, k) => {
      const [n] = notificationsFor(event(i++), new Date(now - (520 - k) * HOUR));
      delete n.bucket;
      return n;
    });
    // Bucketed: WALK_MIN_HOURS + 60 hours, 1-3 per hour, some read, some archived.
    const recent: StoredNotification[] = [];
    for (let h = WALK_MIN_HOURS + 60; h >= 1; h--) {
      for (let k = 0; k < 1 + (h % 3); k++) {
        const [n] = notificationsFor(event(i++), new Date(now - h * HOUR + k * 1000));
        if (i % 4 === 0) Object.assign(n, { read: true, readAt: new Date() });
        if (i % 11 === 0) Object.assign(n, { archived: true, archivedAt: new Date() });
        recent.push(n);
      }
    }
    await directory.record(recent);
    await directory.record(recent); // idempotent
    for (const docs of [legacy, recent]) await conn.collection('notifications').insertMany(docs, { ordered: false });
    stored.push(...legacy, ...recent);
  });
  afterAll(async () => {
    await conn?.close();
    await apps?.close();
  });

  const list = async (query: Record<string, string | number | boolean>): Promise<Page> =>
    (
      await request(apps.notifications.getHttpServer())
        .get('/api/v1/notifications')
        .query(query)
        .set('Authorization', `Bearer ${token}`)
        .expect(200)
    ).body as Page;
  const pageAll = async (query: Record<string, string | number | boolean>): Promise<string[]> => {
    const ids: string[] = [];
    let page = await list(query);
    ids.push(...page.data.map((n) => n.id));
    while (page.nextCursor) {
      page = await list({ ...query, after: page.nextCursor });
      ids.push(...page.data.map((n) => n.id));
    }
    return ids;
  };
  const expected = (keep: (n: StoredNotification) => boolean): string[] =>
    stored
      .filter(keep)
      .map((n) => n._id.toHexString())
      .sort()
      .reverse();

  it('records each hour once, with the first one as `since`', async () => {
    const doc = await conn.collection('inbox_buckets').findOne({ _id: user as never });
    const hours = [...new Set(stored.filter((n) => n.bucket).map((n) => hourOf(n._id)))];
    expect([...(doc?.hours as number[])].sort()).toEqual(hours.sort());
    expect(doc?.since).toBe(Math.min(...hours));
    expect((await directory.hoursFor(user)).length).toBeGreaterThan(0); // this inbox is walked
  });

  it.each([[7], [20], [100]])('pages the whole inbox by %i, newest first, equal to the plain query', async (limit) => {
    expect(await pageAll({ limit })).toEqual(expected((n) => !n.archived));
  });

  it('pages the unread and the archived filters the same way', async () => {
    expect(await pageAll({ limit: 9, read: false })).toEqual(expected((n) => !n.archived && !n.read));
    expect(await pageAll({ limit: 9, archived: true })).toEqual(expected((n) => n.archived));
  });

  it('counts up to INBOX_COUNT_MAX, then answers the cap with capped: true (probe and plain count)', async () => {
    const count = async (query: Record<string, boolean>) =>
      (
        await request(apps.notifications.getHttpServer())
          .get('/api/v1/notifications/count')
          .query(query)
          .set('Authorization', `Bearer ${token}`)
          .expect(200)
      ).body;
    const newest = [...new Set(stored.filter((n) => n.bucket).map((n) => hourOf(n._id)))]
      .sort((a, b) => b - a)
      .slice(0, COUNT_PROBE_HOURS);
    const inProbe = (keep: (n: StoredNotification) => boolean) =>
      stored.filter((n) => n.bucket && newest.includes(hourOf(n._id)) && keep(n)).length;
    const cases: Array<[Record<string, boolean>, (n: StoredNotification) => boolean]> = [
      [{ read: false }, (n) => !n.archived && !n.read],
      [{ archived: true }, (n) => n.archived],
      [{ seen: true }, (n) => !n.archived && n.seen],
    ];
    expect(inProbe(cases[0][1])).toBeGreaterThanOrEqual(COUNT_MAX); // answered by the probe
    expect(inProbe(cases[1][1])).toBeLessThan(COUNT_MAX); // answered by the plain count
    for (const [query, keep] of cases) {
      const n = stored.filter(keep).length;
      expect(await count(query)).toEqual({ count: Math.min(n, COUNT_MAX), capped: n >= COUNT_MAX });
    }
  });

  it('resumes after an id (SSE Last-Event-ID) with what the plain query would answer, oldest first', async () => {
    const inbox = apps.notifications.get(InboxService);
    const ascending = expected((n) => !n.archived).reverse();
    for (const at of [ascending.length - 5, ascending.length - 40, 30, 3]) {
      const got = (await inbox.since(user, ascending[at], 25)).map((n) => n.id);
      expect(got).toEqual(ascending.slice(at + 1, at + 26));
    }
  });

  // Last: it changes the directory.
  it('drops expired hours from the directory, and paging still answers every stored notification', async () => {
    const ttlMs = 90 * 86_400_000; // NOTIFICATION_TTL_DAYS default
    const cutoff = Date.now() - 100 * HOUR;
    const changed = await apps.notifications.get(NotificationRetention).pruneDirectory(new Date(cutoff + ttlMs));
    expect(changed).toBeGreaterThanOrEqual(1);
    const doc = await conn.collection('inbox_buckets').findOne({ _id: user as never });
    const last = Math.floor(cutoff / HOUR) - 2;
    const hours = [...new Set(stored.filter((n) => n.bucket).map((n) => hourOf(n._id)))];
    expect([...(doc?.hours as number[])].sort()).toEqual(hours.filter((h) => h > last).sort());
    expect(await pageAll({ limit: 20 })).toEqual(expected((n) => !n.archived)); // not yet deleted: still listed
  });
});
