import { NotFoundException } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { Types } from 'mongoose';
import { settingsProvider } from '../../../../test/support/fakes';
import { notificationsSettings } from '../notifications.settings';
import { InboxBucketDirectory } from './inbox-bucket.directory';
import { InboxEvents } from './inbox-events';
import { InboxService } from './inbox.service';
import { Notification } from '../dal/notifications/notification.schema';
import { NotificationRepository } from '../dal/notifications/notification.repository';

type Doc = Notification & { _id: Types.ObjectId };
type Filter = Record<string, unknown>;

/**
 * Whether `doc` matches `filter`: equality (ObjectIds by value), `null` = missing or null, and
 * `$ne`: all the service's update and count filters use.
 */
function matches(doc: Doc, filter: Filter): boolean {
  return Object.entries(filter).every(([key, want]) => {
    const have = (doc as unknown as Record<string, unknown>)[key];
    if (want === null) return have === null || have === undefined;
    if (want instanceof Types.ObjectId) return want.equals(have as Types.ObjectId);
    if (typeof want === 'object' && want !== null && '$ne' in want) return have !== (want as { $ne: unknown }).$ne;
    if (typeof want === 'object') throw new Error(`fake model: unsupported filter on ${key}`);
    return have === want;
  });
}

/** A query as the service chains it: `.lean()` (a no-op here) and `.exec()`. */
const query = <T>(run: () => T) => {
  const q = { lean: () => q, exec: async () => run() };
  return q;
};

/**
 * Collection `notifications` in memory, with the model methods the tested paths call
 * (`findOne`, `findOneAndUpdate`, `updateMany`, `countDocuments`); `$set` is the only update.
 */
class FakeNotificationModel {
  readonly docs: Doc[] = [];
  writes = 0;

  findOne(filter: Filter) {
    return query(() => {
      const d = this.docs.find((doc) => matches(doc, filter));
      return d ? { _id: d._id, recipientId: d.recipientId } : null;
    });
  }

  findOneAndUpdate(filter: Filter, update: { $set: Partial<Doc> }) {
    return query(() => {
      this.writes++;
      const d = this.docs.find((doc) => matches(doc, filter));
      return d ? { ...Object.assign(d, update.$set) } : null;
    });
  }

  updateMany(filter: Filter, update: { $set: Partial<Doc> }) {
    return query(() => {
      this.writes++;
      const hit = this.docs.filter((doc) => matches(doc, filter));
      hit.forEach((d) => Object.assign(d, update.$set));
      return { modifiedCount: hit.length };
    });
  }

  countDocuments(filter: Filter, options: { limit?: number } = {}) {
    return query(() => Math.min(this.docs.filter((doc) => matches(doc, filter)).length, options.limit ?? Infinity));
  }
}

const INBOX_COUNT_MAX = 3;

/**
 * The real service and repository over the fake model; the hour directory reports a small inbox (no
 * hours to walk), so the plain queries answer.
 */
async function setup() {
  const model = new FakeNotificationModel();
  const changed: string[] = [];
  const buckets: Pick<InboxBucketDirectory, 'hoursFor'> = { hoursFor: async () => [] };
  const moduleRef = await Test.createTestingModule({
    providers: [
      InboxService,
      NotificationRepository,
      InboxEvents,
      { provide: getModelToken(Notification.name), useValue: model },
      { provide: InboxBucketDirectory, useValue: buckets },
      settingsProvider(notificationsSettings, { INBOX_COUNT_MAX }),
    ],
  }).compile();
  moduleRef.get(InboxEvents).stateChanged$.subscribe((user) => changed.push(user));
  return { service: moduleRef.get(InboxService), model, changed };
}

/** A stored notification, unread, unseen, not archived. */
function notification(recipientId: string, over: Partial<Doc> = {}): Doc {
  return {
    _id: new Types.ObjectId(),
    recipientId,
    type: 'message.created',
    eventId: 'e-' + Math.random().toString(16).slice(2),
    messageId: new Types.ObjectId().toHexString(),
    conversationId: 'team-lunch',
    senderId: 'alice',
    preview: 'Lunch at noon?',
    createdAt: new Date('2026-01-05T12:00:00Z'),
    storedAt: new Date('2026-01-05T12:00:01Z'),
    seenAt: null,
    readAt: null,
    archivedAt: null,
    read: false,
    seen: false,
    archived: false,
    ...over,
  };
}

describe("InboxService.update: a user changes only their own notifications (404 for anyone else's)", () => {
  it("answers 404 for another user's or a missing notification, without writing or signalling a change", async () => {
    const { service, model, changed } = await setup();
    const bobs = notification('bob');
    model.docs.push(bobs);
    await expect(service.update('mallory', bobs._id.toHexString(), { read: true })).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(service.update('bob', new Types.ObjectId().toHexString(), { read: true })).rejects.toBeInstanceOf(
      NotFoundException,
    );
    expect(model.writes).toBe(0);
    expect(bobs.readAt).toBeNull();
    expect(changed).toEqual([]);
  });

  it("sets the date and the flag for true, clears both for false, and signals the owner's change", async () => {
    const { service, model, changed } = await setup();
    const seenAt = new Date('2026-01-05T12:30:00Z');
    const doc = notification('bob', { seenAt, seen: true });
    model.docs.push(doc);
    const before = Date.now();
    const view = await service.update('bob', doc._id.toHexString(), { read: true, seen: false });
    expect(doc).toMatchObject({ read: true, seen: false, seenAt: null });
    expect(doc.readAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(view).toMatchObject({ id: doc._id.toHexString(), readAt: doc.readAt, seenAt: null, archivedAt: null });
    expect(changed).toEqual(['bob']);
  });
});

describe("InboxService.readAll: marks the user's unread, non-archived notifications read", () => {
  it("touches only the user's unread, non-archived ones (of one conversation when asked) and signals only when some changed", async () => {
    const { service, model, changed } = await setup();
    const lunch = notification('bob', { conversationId: 'team-lunch' });
    const other = notification('bob', { conversationId: 'other' });
    const archived = notification('bob', { archivedAt: new Date(), archived: true });
    const alices = notification('alice');
    model.docs.push(lunch, other, archived, alices);

    expect(await service.readAll('bob', { conversationId: 'team-lunch' })).toBe(1);
    expect([lunch.read, other.read]).toEqual([true, false]);
    expect(await service.readAll('bob', {})).toBe(1);
    expect(other.read).toBe(true);
    expect(await service.readAll('bob', {})).toBe(0);
    expect([archived.read, alices.read]).toEqual([false, false]);
    expect(lunch.readAt).toBeInstanceOf(Date);
    expect(changed).toEqual(['bob', 'bob']);
  });
});

describe("InboxService.count: counts the user's matching notifications, stopping at INBOX_COUNT_MAX", () => {
  it('counts exactly below the cap, and answers the cap with capped: true once it is reached', async () => {
    const { service, model } = await setup();
    model.docs.push(
      notification('bob'),
      notification('bob'),
      notification('bob', { readAt: new Date(), read: true }),
      notification('alice'),
    );
    expect(await service.count('bob', { read: false })).toEqual({ count: 2, capped: false });
    model.docs.push(notification('bob'), notification('bob'));
    expect(await service.count('bob', { read: false })).toEqual({ count: INBOX_COUNT_MAX, capped: true });
    expect(await service.count('alice', { read: false })).toEqual({ count: 1, capped: false });
  });
});
