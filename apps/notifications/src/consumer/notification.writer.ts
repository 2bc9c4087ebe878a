import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import { Model, mongo, Types } from 'mongoose';
import { MessageCreatedEvent, NotificationTypes } from '@herald/contracts';
import { findByIds, isDuplicateKeyError, mapConcurrently, writeErrorsByIndex } from '@herald/mongo';
import { InboxBucketDirectory } from '../inbox/inbox-bucket.directory';
import { Notification } from '../dal/notifications/notification.schema';
import { PreferenceRepository } from '../dal/preferences/preference.repository';
import { DigestFold } from '../dal/digest-folds/digest-fold.schema';
import {
  asReplays,
  BurstHead,
  burstKey,
  Fold,
  foldKey,
  newNotification,
  planBatch,
  recipientsOf,
  StoredNotification,
} from './digest-plan';
import { notificationsSettings, NotificationsSettings } from '../notifications.settings';

export type { StoredNotification } from './digest-plan';

/** Burst heads this process remembers (recipient + conversation → the head it inserted). */
const KNOWN_HEADS_MAX = 100_000;
/** Heads whose folds are applied side by side (one lane of ordered updates each). */
const FOLD_HEADS_IN_FLIGHT = 4;

/**
 * Most fold-marker keys (folded pairs) of a batch read by lone `_id` ({@link findByIds}); a batch
 * with more reads every marker of its partition's minutes instead ({@link markerBucket}), which a
 * large catch-up batch's own markers mostly fill. A bucket holds every fold of its minute on the
 * partition (8,000 at a sustained 400 folds/s over 3 partitions), so at such rates lone reads cost
 * FerretDB less: 23 % less of its CPU over the end-to-end benchmark at 200 msg/s with ~90 keys per
 * batch (bench/findings.md, finding 21).
 */
export const MARKER_LONE_READS_MAX = 256;

/** A notification after a fold: what `notification.updated` pushes. */
export type FoldedNotification = Pick<StoredNotification, '_id' | 'recipientId' | 'conversationId' | 'preview'> & {
  count: number;
  senderIds: string[];
  lastMessageAt: Date;
};

/** What one {@link NotificationWriter.store} call did. */
export interface StoreResult {
  /** Notifications this call inserted, in event order (already-stored ones left out). */
  inserted: StoredNotification[];
  /** Notifications a message was folded into by this call (digest), as they are now. */
  updated: FoldedNotification[];
}

/** A fold marker as the driver reads and writes it (digest-fold.schema.ts). */
type MarkerDoc = DigestFold;

/**
 * Where a batch comes from: its partition and offsets. With it the writer reads the fold markers of
 * a large batch by {@link markerBucket} (equality, pushed down by FerretDB); without it (tests,
 * tools), and for up to {@link MARKER_LONE_READS_MAX} keys, by lone `_id`.
 */
export interface BatchSource {
  /** `<topic>/<partition>`. */
  partition: string;
  firstOffset: number;
  lastOffset: number;
}
type HeadDoc = Pick<Notification, 'read' | 'readAt' | 'archived' | 'storedAt' | 'senderId' | 'senderIds' | 'type'> & {
  _id: Types.ObjectId;
};

/**
 * The bucket of a fold marker: the event's partition and the minute of its `occurredAt`. A
 * redelivered or republished event (same bytes: outbox relay, Kafka redelivery) has both again, so
 * its marker is found by one equality on `m` per partition and minute of a batch, which FerretDB
 * pushes down to PostgreSQL (GIN on `m`); it returns the folds of that minute only.
 */
export const markerBucket = (partition: string, occurredAt: Date): string =>
  `${partition}:${Math.floor(occurredAt.getTime() / 60_000)}`;

/**
 * The guarded update that folds `folds` (events of one head, distinct, in batch order) into their
 * head: matches nothing when the head already holds one of them (its own `eventId` or one of
 * `eventIds`), so a fold applied twice counts nothing. `$push` appends the events, `$inc` counts
 * them, `$set` leaves the last one's preview, `$addToSet` adds their new senders.
 */
export function foldUpdate(folds: readonly Fold[]): {
  filter: mongo.Filter<Notification>;
  update: mongo.UpdateFilter<Notification>;
} {
  const eventIds = folds.map((f) => f.eventId);
  const last = folds[folds.length - 1];
  const senders = [...new Set(folds.flatMap((f) => f.addSenders ?? []))];
  return {
    filter: { _id: last.headId, eventId: { $nin: eventIds }, eventIds: { $nin: eventIds } },
    update: {
      $push: { eventIds: { $each: eventIds } } as mongo.PushOperator<Notification>,
      $inc: { folded: folds.length },
      $set: { preview: last.preview, lastMessageAt: last.lastMessageAt, lastMessageId: last.messageId },
      ...(senders.length > 0 ? { $addToSet: { senderIds: { $each: senders } } as mongo.SetFields<Notification> } : {}),
    },
  };
}

/** The notifications one event gives with default preferences and no digest (tests, bench data). */
export function notificationsFor(event: MessageCreatedEvent, storedAt = new Date()): StoredNotification[] {
  return recipientsOf(event).map(({ recipientId, mentioned }) =>
    newNotification(
      event,
      recipientId,
      mentioned ? NotificationTypes.MessageMentioned : NotificationTypes.MessageCreated,
      storedAt,
    ),
  );
}

/**
 * Stores the notifications of a batch of events, effectively once, with the recipients'
 * preferences and the digest of bursts (consumer/digest-plan.ts decides, this class reads and
 * writes). Per batch:
 *
 * 1. reads, side by side: the recipients' `preferences` (`PreferenceRepository.forUsers`: lone `_id`
 *    reads for a few recipients, one `_id` `$in` for many); the heads this process inserted for the
 *    batch's (recipient, conversation) pairs within `DIGEST_WINDOW_MS`, to check they are still
 *    unread (one `findOne` by `_id` per head, {@link findByIds}, only when there are such heads);
 *    the fold markers of the pairs that may start a burst, those without such a head (`digest_folds`:
 *    lone `_id` reads for up to {@link MARKER_LONE_READS_MAX}, else those of the batch's minutes on
 *    its partition, one equality on `m` per {@link markerBucket}), and after it those of the pairs
 *    whose head turned out read or archived. FerretDB v1.24 pushes no `$in` down
 *    (docs/database.md): an `$in` reads its whole collection, which is why markers are found by an
 *    equality or lone `_id` and heads by lone `_id` equalities instead;
 * 2. the new notifications with one unordered `insertMany` (the driver's, documents built complete);
 *    a duplicate key (11000) on the unique `(eventId, recipientId)` index means "already stored";
 * 3. one marker per folded pair (`insertMany`): a duplicate key on a pair planned into an open head
 *    says it was folded before (a replay), and only those markers are read (lone `_id`) to send
 *    the pair to its marker's head ({@link asReplays}); then per head (several heads side by side)
 *    one guarded `findAndModify` for all its folds of the batch ({@link foldUpdate}: `{_id: head,
 *    eventId: {$nin: es}, eventIds: {$nin: es}}` → `$push eventIds`, `$inc folded`, `$set` the last
 *    preview / lastMessageAt, `$addToSet senderIds`), which also answers the head for the push; a
 *    replayed pair gets an update of its own first. The guard makes a second fold of an event
 *    match nothing, so `folded` stays `eventIds.length` (the API's `count` is 1 + it).
 *
 * Why it is effectively once (a redelivery gives the same outcome with unchanged preferences): a
 * pair is either a notification of its own — the unique index stops a second one — or folded, and
 * then its marker was stored before its update, after its head exists; a redelivered pair with a
 * marker goes to that head again, where the guard stops a second count (the marker is read before
 * the plan when the pair may start a burst, found by its own insert otherwise); a redelivered pair
 * without a marker was never counted anywhere. A fold into a head this batch inserts is only
 * applied once the insert succeeded; when it was a duplicate (a redelivery whose head exists under
 * another `_id`), the fold becomes a notification of its own instead: a burst can split, never
 * count twice. Such folds and their heads' pairs may start a burst, so their markers were read.
 * No two instances fold into one head at once: a head and its folds are all of one conversation,
 * whose events are on one partition (key = conversationId), consumed in order by its one owner.
 */
@Injectable()
export class NotificationWriter {
  private indexes?: Promise<void>;
  /** Heads inserted here: burst key → head (its `_id`, when it was stored). */
  private readonly knownHeads = new LRUCache<string, { _id: Types.ObjectId; storedAt: number; senderIds: string[] }>({
    max: KNOWN_HEADS_MAX,
  });

  constructor(
    @InjectModel(Notification.name) private readonly notifications: Model<Notification>,
    @InjectModel(DigestFold.name) private readonly foldMarkers: Model<DigestFold>,
    private readonly buckets: InboxBucketDirectory,
    private readonly preferences: PreferenceRepository,
    @Inject(notificationsSettings.KEY) private readonly settings: NotificationsSettings,
  ) {}

  /** The folds of one head, in batch order (see {@link fold}); resolves with the head after its last matching update, or null. */
  private async foldInto(list: readonly Fold[]): Promise<StoredNotification | null> {
    const apply = ({ filter, update }: ReturnType<typeof foldUpdate>) =>
      this.collection.findOneAndUpdate(filter, update, { returnDocument: 'after' });
    let last: StoredNotification | null = null;
    // A replayed fold may be in the head already: one guarded update each, so the others still count.
    for (const f of list.filter((x) => x.replay)) last = (await apply(foldUpdate([f]))) ?? last;
    const seen = new Set<string>();
    const fresh = list.filter((f) => !f.replay && !seen.has(f.eventId) && seen.add(f.eventId));
    if (fresh.length === 0) return last;
    // Never applied (no marker): all in one update. Should its guard still match nothing (or the head
    // be gone), one by one, so that no fold is dropped for another one's sake.
    const doc = await apply(foldUpdate(fresh));
    if (doc) return doc;
    for (const f of fresh) last = (await apply(foldUpdate([f]))) ?? last;
    return last;
  }

  /** The `notifications` collection as the driver's, with the stored document type. */
  private get collection(): mongo.Collection<StoredNotification> {
    return this.notifications.collection as unknown as mongo.Collection<StoredNotification>;
  }

  private get markers(): mongo.Collection<MarkerDoc> {
    return this.foldMarkers.collection as unknown as mongo.Collection<MarkerDoc>;
  }

  /**
   * @param events validated `message.created` events, in partition order
   * @param onInserted awaited with the notifications this call inserted once they are stored and
   *   before the digest folds are applied (the folds are the batch's longest step), so the consumer
   *   can start their push early; not called when nothing was inserted. They are also in the result.
   * @throws the index build's error until the unique index exists (see {@link ensureIndexes}), or
   *   a read's or write's error other than duplicate keys (the batch is retried as a whole)
   */
  async store(
    events: readonly MessageCreatedEvent[],
    source?: BatchSource,
    onInserted?: (inserted: readonly StoredNotification[]) => Promise<void>,
  ): Promise<StoreResult> {
    const storedAt = new Date();
    const windowMs = this.settings.DIGEST_WINDOW_MS;
    const pairs = events.flatMap((e) => recipientsOf(e).map((r) => ({ e, ...r })));
    if (pairs.length === 0) return { inserted: [], updated: [] };
    await this.ensureIndexes();
    const recipients = [...new Set(pairs.map((p) => p.recipientId))];
    const burstOf = (p: (typeof pairs)[number]) => burstKey(p.recipientId, p.e.data.conversationId);
    const keysOf = (list: typeof pairs) => list.map((p) => foldKey(p.e.eventId, p.recipientId));
    // Markers are read only for the pairs that may start a burst (no open head known here): a pair
    // planned into an open head learns that it is a replay from its marker's insert (fold).
    const foldable = windowMs > 0 ? pairs.filter((p) => !p.mentioned) : [];
    const candidates = windowMs > 0 ? this.headCandidates(pairs.map(burstOf), storedAt, windowMs) : new Map();
    const [preferences, markers, heads] = await Promise.all([
      this.preferences.forUsers(recipients),
      this.readMarkers(events, keysOf(foldable.filter((p) => !candidates.has(burstOf(p)))), source),
      this.openHeads(candidates),
    ]);
    // Pairs whose known head was read or archived since: they may start a burst too.
    const closed = foldable.filter((p) => candidates.has(burstOf(p)) && !heads.has(burstOf(p)));
    for (const [key, head] of await this.readMarkers(events, keysOf(closed), source)) markers.set(key, head);
    const plan = planBatch(events, { preferences, digestWindowMs: windowMs, markers, heads, storedAt });
    const inserted = await this.insert(plan.docs);
    const insertedIds = new Set(inserted.map((d) => d._id.toHexString()));
    // Folds into a head this batch made whose insert was a duplicate: notifications of their own.
    const orphans = plan.folds.filter((f) => f.freshHead && !insertedIds.has(f.headId.toHexString()));
    if (orphans.length > 0) {
      const byEvent = new Map(events.map((e) => [e.eventId, e]));
      inserted.push(
        ...(await this.insert(
          orphans.map((f) =>
            newNotification(byEvent.get(f.eventId)!, f.recipientId, NotificationTypes.MessageCreated, storedAt),
          ),
        )),
      );
    }
    const folds = plan.folds.filter((f) => !f.freshHead || insertedIds.has(f.headId.toHexString()));
    for (const d of inserted) {
      if (windowMs > 0 && d.type === NotificationTypes.MessageCreated)
        this.knownHeads.set(burstKey(d.recipientId, d.conversationId), {
          _id: d._id,
          storedAt: storedAt.getTime(),
          senderIds: [d.senderId],
        });
    }
    if (onInserted && inserted.length > 0) await onInserted(inserted);
    const occurred = new Map(events.map((e) => [e.eventId, e.occurredAt]));
    const updated = await this.fold(folds, (f) => markerBucket(source?.partition ?? '-', occurred.get(f.eventId)!));
    return { inserted, updated };
  }

  /** Inserts `docs` (hours recorded first), duplicates left out of the answer. */
  private async insert(docs: StoredNotification[]): Promise<StoredNotification[]> {
    if (docs.length === 0) return [];
    await this.buckets.record(docs);
    try {
      await this.notifications.collection.insertMany(docs, { ordered: false });
      return docs;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const duplicates = writeErrorsByIndex(err);
      return docs.filter((_, i) => !duplicates.has(i));
    }
  }

  /**
   * The fold markers stored for `keys`: one `findOne` by `_id` per key for up to
   * {@link MARKER_LONE_READS_MAX} keys or without a source, else one equality query on `m` per
   * bucket of the batch (usually one or two: its partition and the minutes its events occurred in).
   */
  private async readMarkers(
    events: readonly MessageCreatedEvent[],
    keys: string[],
    source?: BatchSource,
  ): Promise<Map<string, Types.ObjectId>> {
    if (keys.length === 0) return new Map();
    let docs: MarkerDoc[];
    if (!source || keys.length <= MARKER_LONE_READS_MAX) {
      docs = await findByIds(this.markers, keys);
    } else {
      const buckets = [...new Set(events.map((e) => markerBucket(source.partition, e.occurredAt)))];
      docs = (await Promise.all(buckets.map((m) => this.markers.find({ m }).toArray()))).flat();
    }
    const wanted = new Set(keys);
    return new Map(docs.filter((d) => wanted.has(d._id)).map((d) => [d._id, d.n]));
  }

  /**
   * The heads this process inserted within the window for `keys` (burst keys), not yet read:
   * burst key → head `_id`. Heads another process inserted are not known here (after a restart or a rebalance): the next
   * message of such a burst starts a new notification.
   */
  private headCandidates(keys: string[], now: Date, windowMs: number): Map<string, Types.ObjectId> {
    const candidates = new Map<string, Types.ObjectId>();
    for (const key of new Set(keys)) {
      const known = this.knownHeads.get(key);
      if (known && known.storedAt >= now.getTime() - windowMs) candidates.set(key, known._id);
    }
    return candidates;
  }

  /**
   * Of the `candidates` ({@link headCandidates}), the heads still unread and not archived (one
   * `findOne` by `_id` per head, {@link findByIds}; a read or archived head ends its burst).
   */
  private async openHeads(candidates: ReadonlyMap<string, Types.ObjectId>): Promise<Map<string, BurstHead>> {
    if (candidates.size === 0) return new Map();
    const docs = await findByIds(
      this.notifications.collection as unknown as mongo.Collection<HeadDoc>,
      [...candidates.values()],
      { read: 1, readAt: 1, archived: 1, storedAt: 1, senderId: 1, senderIds: 1, type: 1 },
    );
    const open = new Map(
      docs
        .filter((d) => !d.read && !d.readAt && !d.archived && d.type === NotificationTypes.MessageCreated)
        .map((d) => [d._id.toHexString(), d]),
    );
    const heads = new Map<string, BurstHead>();
    for (const [key, id] of candidates) {
      const d = open.get(id.toHexString());
      if (d) heads.set(key, { _id: d._id, senderIds: [...(d.senderIds ?? [d.senderId])], fresh: false });
    }
    return heads;
  }

  /**
   * Stores one marker per fold (one unordered `insertMany`), before any fold's update. A duplicate
   * key (11000) on a fold planned as a first delivery means its pair was folded before (a replay
   * whose marker was not read: {@link store} reads markers only for pairs that may start a burst):
   * those markers are read by lone `_id` and the folds turned into replays into their heads
   * ({@link asReplays}).
   * @returns `folds`, learned replays turned
   * @throws the insert's error other than duplicate keys, or a read's error
   */
  private async mark(folds: Fold[], bucketOf: (f: Fold) => string): Promise<Fold[]> {
    try {
      await this.markers.insertMany(
        folds.map((f) => ({ _id: foldKey(f.eventId, f.recipientId), n: f.headId, m: bucketOf(f), at: new Date() })),
        { ordered: false },
      );
      return folds;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const seen = [...writeErrorsByIndex(err).keys()].filter((i) => !folds[i].replay);
      if (seen.length === 0) return folds;
      const keyOf = (i: number) => foldKey(folds[i].eventId, folds[i].recipientId);
      const stored = new Map((await findByIds(this.markers, seen.map(keyOf))).map((d) => [d._id, d.n]));
      return asReplays(folds, new Map(seen.map((i) => [i, stored.get(keyOf(i))])));
    }
  }

  /**
   * Applies `folds` in order: markers first (one unordered insert, duplicates = already marked),
   * then per head ({@link foldInto}, {@link FOLD_HEADS_IN_FLIGHT} heads side by side) its guarded
   * updates, each returning the head as it is after it (`findAndModify`); a head no update
   * matched (all its folds were in it already) is read back by `_id` for the push.
   */
  private async fold(folds: Fold[], bucketOf: (f: Fold) => string): Promise<FoldedNotification[]> {
    if (folds.length === 0) return [];
    folds = await this.mark(folds, bucketOf);
    const byHead = new Map<string, Fold[]>();
    for (const f of folds) {
      const key = f.headId.toHexString();
      const list = byHead.get(key);
      if (list) list.push(f);
      else byHead.set(key, [f]);
    }
    const lanes = [...byHead.values()];
    const after = await mapConcurrently(lanes, FOLD_HEADS_IN_FLIGHT, (list) => this.foldInto(list));
    const unmatched = lanes.filter((_, i) => after[i] === null).map((list) => list[0].headId);
    const found = [
      ...after.filter((d): d is StoredNotification => d !== null),
      ...(await findByIds(this.collection, unmatched)),
    ];
    const docs: FoldedNotification[] = found.map((d) => ({
      _id: d._id,
      recipientId: d.recipientId,
      conversationId: d.conversationId,
      preview: d.preview,
      count: 1 + (d.folded ?? 0),
      senderIds: d.senderIds ?? [d.senderId],
      lastMessageAt: d.lastMessageAt ?? d.createdAt,
    }));
    for (const d of docs) {
      const known = this.knownHeads.get(burstKey(d.recipientId, d.conversationId));
      if (known && known._id.equals(d._id)) known.senderIds = d.senderIds;
    }
    return docs;
  }

  /**
   * Builds the schema's unique indexes — `(eventId, recipientId)` — and, with digests on, the fold
   * markers' `{m: 1}` (the lookup of {@link readMarkers}) before the first insert, and
   * again after a failed attempt (an index that already exists is left as it is). Nest creates
   * models without waiting for mongoose's background index build (`autoIndex`), so the consumer may
   * insert first on a new database, and mongoose does not retry a build that failed at start-up
   * (server unavailable). Without the index a redelivered event could be stored twice.
   */
  private ensureIndexes(): Promise<void> {
    const unique = this.notifications.schema.indexes().filter(([, options]) => options?.unique);
    const build = ([fields, options]: (typeof unique)[number]) =>
      this.notifications.collection.createIndex(
        fields as mongo.IndexSpecification,
        options as mongo.CreateIndexesOptions,
      );
    const markers = () => (this.settings.DIGEST_WINDOW_MS > 0 ? [this.markers.createIndex({ m: 1 })] : []);
    this.indexes ??= Promise.all([...unique.map(build), ...markers()])
      .then(() => undefined)
      .catch((err: unknown) => {
        this.indexes = undefined;
        throw err;
      });
    return this.indexes;
  }
}
