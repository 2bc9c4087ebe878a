import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import { Model, mongo, Types } from 'mongoose';
import { isDuplicateKeyError } from '@herald/mongo';
import { BUCKET_MS, hourOf, hoursAfter, hoursToWalk } from './inbox-bucket';
import { InboxBuckets } from '../dal/inbox-buckets/inbox-bucket.schema';

/** (user, hour) pairs this process knows are recorded; a miss costs one idempotent upsert. */
const KNOWN_PAIRS_MAX = 200_000;
/**
 * Statements per `update` command: FerretDB v1.24 stalls on an `update` of 100 statements (seen
 * here; the conversation projection chunks at 50 for the same reason).
 */
const UPDATES_PER_COMMAND = 50;
/**
 * Upsert commands one {@link InboxBucketDirectory.record} call has in flight at once: a new hour
 * (start-up, or every user's first notification of an hour) means one upsert per recipient, and
 * round trips side by side instead of one after another.
 */
const UPSERT_COMMANDS_AT_ONCE = 4;
/** Rounds of one upsert command while concurrent inserts of new users collide (duplicate key). */
const UPSERT_RACE_ATTEMPTS = 5;
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
  /** Pairs being written by a {@link record} call now, and that write. */
  private readonly recording = new Map<string, Promise<void>>();

  constructor(@InjectModel(InboxBuckets.name) private readonly buckets: Model<InboxBuckets>) {}

  /** The driver's collection, typed with the string `_id` (the driver's default typing assumes ObjectId). */
  private get collection(): mongo.Collection<DirectoryDoc> {
    return this.buckets.collection as unknown as mongo.Collection<DirectoryDoc>;
  }

  /**
   * Records the (recipient, hour) pairs of `docs` not yet known to this process: one upsert per
   * recipient (`$addToSet` with `$each`, `since` set on insert), 50 per command. Call it before
   * the notifications are inserted, so a stored notification's hour is always listed. A pair that
   * another call of this process (another partition's batch) is recording right now is not written
   * again: this call waits for that write instead, and fails if it fails.
   * @throws the write's error (the caller's batch then fails and is retried like any write)
   */
  async record(docs: ReadonlyArray<{ _id: Types.ObjectId; recipientId: string }>): Promise<void> {
    const byUser = new Map<string, Set<number>>();
    const others = new Set<Promise<void>>();
    for (const d of docs) {
      const hour = hourOf(d._id);
      const pair = `${hour}:${d.recipientId}`;
      if (this.known.has(pair)) continue;
      const inFlight = this.recording.get(pair);
      if (inFlight) {
        others.add(inFlight);
        continue;
      }
      let hours = byUser.get(d.recipientId);
      if (!hours) byUser.set(d.recipientId, (hours = new Set()));
      hours.add(hour);
    }
    const pairs = [...byUser].flatMap(([user, hours]) => [...hours].map((h) => `${h}:${user}`));
    if (pairs.length > 0) {
      const own = this.upsert(byUser);
      for (const pair of pairs) this.recording.set(pair, own);
      const settle = (): void => {
        for (const pair of pairs) if (this.recording.get(pair) === own) this.recording.delete(pair);
      };
      own.then(settle, settle);
      others.add(own);
    }
    await Promise.all(others);
  }

  /**
   * Writes the upserts of `byUser` (see {@link record}), {@link UPDATES_PER_COMMAND} per command,
   * {@link UPSERT_COMMANDS_AT_ONCE} commands side by side (distinct users: distinct documents), then
   * remembers the pairs.
   */
  private async upsert(byUser: ReadonlyMap<string, ReadonlySet<number>>): Promise<void> {
    const ops: mongo.AnyBulkWriteOperation<DirectoryDoc>[] = [...byUser].map(([user, hours]) => ({
      updateOne: {
        filter: { _id: user },
        update: { $addToSet: { hours: { $each: [...hours] } }, $setOnInsert: { since: Math.min(...hours) } },
        upsert: true,
      },
    }));
    const step = UPDATES_PER_COMMAND * UPSERT_COMMANDS_AT_ONCE;
    for (let i = 0; i < ops.length; i += step) {
      const wave = ops.slice(i, i + step);
      const commands: Array<Promise<void>> = [];
      for (let j = 0; j < wave.length; j += UPDATES_PER_COMMAND)
        commands.push(this.upsertCommand(wave.slice(j, j + UPDATES_PER_COMMAND)));
      await Promise.all(commands);
    }
    for (const [user, hours] of byUser) for (const h of hours) this.known.set(`${h}:${user}`, true);
  }

  /**
   * One `update` command of upserts. Two processes (or partitions) upserting a new user at once:
   * the loser gets a duplicate key (MongoDB manual, "Upsert with Duplicate Values"); the document
   * exists now, so the same (idempotent) updates once more update it. Each race costs one more
   * round; {@link UPSERT_RACE_ATTEMPTS} are allowed before the error is thrown.
   */
  private async upsertCommand(ops: mongo.AnyBulkWriteOperation<DirectoryDoc>[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.collection.bulkWrite(ops, { ordered: false });
        return;
      } catch (err) {
        if (!isDuplicateKeyError(err) || attempt >= UPSERT_RACE_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * The hours a page before `cursor` should query, newest first (see {@link hoursToWalk}); empty
   * when the user has fewer than {@link WALK_MIN_HOURS} recorded hours or none.
   */
  async hoursFor(userId: string, cursor?: Types.ObjectId): Promise<number[]> {
    const dir = await this.walked(userId);
    return dir ? hoursToWalk(dir.hours, dir.since, cursor, WALK_MAX_HOURS) : [];
  }

  /**
   * The hours a catch-up after `after` should query, oldest first, and whether they are all the
   * recorded ones from `after`'s hour on (see {@link hoursAfter}); none (incomplete) below
   * {@link WALK_MIN_HOURS} recorded hours.
   */
  async hoursSince(userId: string, after: Types.ObjectId): Promise<{ hours: number[]; complete: boolean }> {
    const dir = await this.walked(userId);
    return dir ? hoursAfter(dir.hours, dir.since, after, WALK_MAX_HOURS) : { hours: [], complete: false };
  }

  /** The user's directory when their inbox is walked (at least {@link WALK_MIN_HOURS} hours recorded). */
  private async walked(userId: string): Promise<InboxBuckets | undefined> {
    const dir = await this.buckets.findOne({ _id: userId }).lean().exec();
    return dir && dir.hours.length >= WALK_MIN_HOURS ? dir : undefined;
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
      if (expired.length)
        ops.push({ updateOne: { filter: { _id: dir._id }, update: { $pullAll: { hours: expired } } } });
    }
    let changed = 0;
    for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND) {
      changed += (await this.collection.bulkWrite(ops.slice(i, i + UPDATES_PER_COMMAND), { ordered: false }))
        .modifiedCount;
    }
    return changed;
  }
}
