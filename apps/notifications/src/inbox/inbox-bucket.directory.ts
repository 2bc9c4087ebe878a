import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import { Model, mongo, Types } from 'mongoose';
import { isDuplicateKeyError } from '@herald/mongo';
import { BUCKET_MS, hourOf, hoursAfter, hoursToWalk } from './inbox-bucket';
import { InboxBuckets } from './inbox-bucket.schema';

/** (user, hour) pairs this process knows are recorded; a miss costs one idempotent upsert. */
const KNOWN_PAIRS_MAX = 200_000;
/**
 * Statements per `update` command: FerretDB v1.24 stalls on an `update` of 100 statements (seen
 * here; the conversation projection chunks at 50 for the same reason).
 */
const UPDATES_PER_COMMAND = 50;
/**
 * Users with fewer recorded hours than this are read with one plain query: their inbox is small
 * (or bursty), and one query beats many one-hour ones.
 */
export const WALK_MIN_HOURS = 200;
/** Hours one page request queries at most before the plain query takes over. */
export const WALK_MAX_HOURS = 24;

/** A directory document as the driver writes it (string `_id`). */
type DirectoryDoc = { _id: string; hours: number[]; since: number };

/**
 * The per-user directory of inbox hours (collection `inbox_buckets`, see inbox-bucket.ts): the
 * consumer records the hours of the notifications it is about to store, the inbox reads which
 * hours to query.
 */
@Injectable()
export class InboxBucketDirectory {
  private readonly known = new LRUCache<string, true>({ max: KNOWN_PAIRS_MAX });

  constructor(@InjectModel(InboxBuckets.name) private readonly buckets: Model<InboxBuckets>) {}

  /** The driver's collection, typed with the string `_id` (the driver's default typing assumes ObjectId). */
  private get collection(): mongo.Collection<DirectoryDoc> {
    return this.buckets.collection as unknown as mongo.Collection<DirectoryDoc>;
  }

  /**
   * Records the (recipient, hour) pairs of `docs` not yet known to this process: one upsert per
   * recipient (`$addToSet` with `$each`, `since` set on insert), 50 per command. Call it before
   * the notifications are inserted, so a stored notification's hour is always listed.
   * @throws the write's error (the caller's batch then fails and is retried like any write)
   */
  async record(docs: ReadonlyArray<{ _id: Types.ObjectId; recipientId: string }>): Promise<void> {
    const byUser = new Map<string, Set<number>>();
    for (const d of docs) {
      const hour = hourOf(d._id);
      if (this.known.has(`${hour}:${d.recipientId}`)) continue;
      let hours = byUser.get(d.recipientId);
      if (!hours) byUser.set(d.recipientId, (hours = new Set()));
      hours.add(hour);
    }
    const ops: mongo.AnyBulkWriteOperation<DirectoryDoc>[] = [...byUser].map(([user, hours]) => ({
      updateOne: {
        filter: { _id: user },
        update: { $addToSet: { hours: { $each: [...hours] } }, $setOnInsert: { since: Math.min(...hours) } },
        upsert: true,
      },
    }));
    for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND) {
      const chunk = ops.slice(i, i + UPDATES_PER_COMMAND);
      // Two processes upserting a new user at once: the loser gets a duplicate key (MongoDB manual,
      // "Upsert with Duplicate Values"); the document exists now, so once more updates it.
      await this.collection.bulkWrite(chunk, { ordered: false }).catch((err: unknown) => {
        if (!isDuplicateKeyError(err)) throw err;
        return this.collection.bulkWrite(chunk, { ordered: false });
      });
    }
    for (const [user, hours] of byUser) for (const h of hours) this.known.set(`${h}:${user}`, true);
  }

  /**
   * The hours a page before `cursor` should query, newest first (see {@link hoursToWalk}); empty
   * when the user has fewer than {@link WALK_MIN_HOURS} recorded hours or none.
   */
  async hoursFor(userId: string, cursor?: Types.ObjectId): Promise<number[]> {
    const dir = await this.buckets.findOne({ _id: userId }).lean().exec();
    if (!dir || dir.hours.length < WALK_MIN_HOURS) return [];
    return hoursToWalk(dir.hours, dir.since, cursor, WALK_MAX_HOURS);
  }

  /**
   * The hours a catch-up after `after` should query, oldest first, and whether they are all the
   * recorded ones from `after`'s hour on (see {@link hoursAfter}); none (incomplete) below
   * {@link WALK_MIN_HOURS} recorded hours.
   */
  async hoursSince(userId: string, after: Types.ObjectId): Promise<{ hours: number[]; complete: boolean }> {
    const dir = await this.buckets.findOne({ _id: userId }).lean().exec();
    if (!dir || dir.hours.length < WALK_MIN_HOURS) return { hours: [], complete: false };
    return hoursAfter(dir.hours, dir.since, after, WALK_MAX_HOURS);
  }

  /**
   * Drops from every user's directory the hours whose notifications have all expired: hours that
   * ended at least one hour before `cutoff` (a notification's `storedAt` lies in its `_id`'s hour).
   * Removal is `$pullAll` of exact values, so a concurrent `$addToSet` of a new hour is never lost
   * (FerretDB v1.24 ignores a conditional `$pull` such as `{$lt: …}`: checked here).
   * @param cutoff notifications stored before it are expired (now − NOTIFICATION_TTL_DAYS)
   * @returns the number of directory documents changed
   */
  async prune(cutoff: Date): Promise<number> {
    const last = Math.floor(cutoff.getTime() / BUCKET_MS) - 2; // newest hour that ended ≥ 1 h before cutoff
    const ops: mongo.AnyBulkWriteOperation<DirectoryDoc>[] = [];
    for await (const dir of this.buckets.find({}, { hours: 1 }).lean().cursor()) {
      const expired = dir.hours.filter((h) => h <= last);
      if (expired.length) ops.push({ updateOne: { filter: { _id: dir._id }, update: { $pullAll: { hours: expired } } } });
    }
    let changed = 0;
    for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND) {
      changed += (await this.collection.bulkWrite(ops.slice(i, i + UPDATES_PER_COMMAND), { ordered: false })).modifiedCount;
    }
    return changed;
  }
}
