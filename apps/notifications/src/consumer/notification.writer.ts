import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import { Model, mongo, Types } from 'mongoose';
import { MessageCreatedEvent, NotificationTypes } from '@herald/contracts';
import { findByIds, isDuplicateKeyError, mapConcurrently, writeErrorsByIndex } from '@herald/mongo';
import { InboxBucketDirectory } from '../inbox/inbox-bucket.directory';
import { stateFilter } from '../inbox/inbox.service';
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

/**
 * The filter that lets a fold reach its head only while the head is open: what the inbox lists as
 * unread and not archived ({@link stateFilter}: `read ≠ true`, `readAt: null`, `archived ≠ true`,
 * `archivedAt: null`). Reading a notification ends its burst (#15).
 */
export const OPEN_HEAD = stateFilter({ read: false, archived: false }) as mongo.Filter<StoredNotification>;

/** Whether `d` matches {@link OPEN_HEAD}, as read. */
const isOpen = (d: Pick<Notification, 'read' | 'readAt' | 'archived' | 'archivedAt'>): boolean =>
  !d.read && !d.readAt && !d.archived && !d.archivedAt;

/** Whether notification `d` holds event `eventId`: its own, or one folded into it. */
const holds = (d: Pick<Notification, 'eventId' | 'eventIds'>, eventId: string): boolean =>
  d.eventId === eventId || (d.eventIds ?? []).includes(eventId);

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
 *    reads for a few recipients, one `_id` `$in` for many), and the fold markers of the pairs that
 *    may start a burst, those without a head this process inserted within `DIGEST_WINDOW_MS`
 *    (`digest_folds`: lone `_id` reads for up to {@link MARKER_LONE_READS_MAX}, else those of the
 *    batch's minutes on its partition, one equality on `m` per {@link markerBucket}). Known heads
 *    are not read: a fold checks that its head is still open when it is applied (step 3). FerretDB
 *    v1.24 pushes no `$in` down (docs/database.md): an `$in` reads its whole collection, which is
 *    why markers are found by an equality or lone `_id` instead;
 * 2. the new notifications with one unordered `insertMany` (the driver's, documents built complete);
 *    a duplicate key (11000) on the unique `(eventId, recipientId)` index means "already stored";
 * 3. one marker per folded pair (`insertMany`): a duplicate key on a pair planned into a known head
 *    says it was folded before (a replay), and only those markers are read (lone `_id`) to send
 *    the pair to its marker's head ({@link asReplays}); then per head (several heads side by side)
 *    one guarded `findAndModify` for all its folds of the batch ({@link foldUpdate} and
 *    {@link OPEN_HEAD}: `{_id: head, eventId: {$nin: es}, eventIds: {$nin: es}, read: {$ne: true},
 *    readAt: null, archived: {$ne: true}, archivedAt: null}` → `$push eventIds`, `$inc folded`, `$set` the last
 *    preview / lastMessageAt, `$addToSet senderIds`), which also answers the head for the push; a
 *    replayed pair gets an update of its own first. An update that matches nothing reads its head:
 *    the event is in it already (the guard: `folded` stays `eventIds.length`, the API's `count` is
 *    1 + it), or the head was read or archived, and then the fold becomes a notification of its own
 *    whose marker is pointed at it (a stray, see `detach`): reading a notification ends its burst.
 *
 * Why it is effectively once (a redelivery gives the same outcome with unchanged preferences): a
 * pair is either a notification of its own — the unique index stops a second one — or folded, and
 * then its marker was stored before its update, after its head exists, and names the one
 * notification that may hold it; a redelivered pair with a marker goes to that notification again,
 * where the guard stops a second count, or, found closed without it, becomes a notification of its
 * own once (the marker is read before the plan when the pair may start a burst, found by its own
 * insert otherwise); a redelivered pair without a marker was never counted anywhere. A fold into a
 * head this batch inserts is only applied once the insert succeeded; when it was a duplicate (a
 * redelivery whose head exists under another `_id`), the fold becomes a notification of its own
 * instead: a burst can split, never count twice. Such folds and their heads' pairs may start a
 * burst, so their markers were read.
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

  /**
   * The folds of one head, in batch order (see {@link fold}), each applied only while the head is
   * open ({@link OPEN_HEAD}). When an update matches nothing the head is read once to learn why:
   * the event is in it already (a replay), or the head was read or archived (or is gone) before the
   * fold reached it, and then the fold is a stray, left for {@link detach}.
   * @returns the head as it is after its last update (or as read), null when it is gone; the strays
   */
  private async foldInto(list: readonly Fold[]): Promise<{ head: StoredNotification | null; strays: Fold[] }> {
    const apply = (folds: readonly Fold[]) => {
      const { filter, update } = foldUpdate(folds);
      return this.collection.findOneAndUpdate({ ...filter, ...OPEN_HEAD }, update, { returnDocument: 'after' });
    };
    const read = () => this.collection.findOne({ _id: list[0].headId });
    let last: StoredNotification | null = null;
    const strays: Fold[] = [];
    // A replayed fold may be in the head already: one guarded update each, so the others still count.
    for (const f of list.filter((x) => x.replay)) {
      const doc = (await apply([f])) ?? (await read());
      // A head gone (retention) may have held it: nothing to count into, nothing counted twice.
      if (doc && !holds(doc, f.eventId) && !isOpen(doc)) strays.push(f);
      last = doc ?? last;
    }
    const seen = new Set<string>();
    const fresh = list.filter((f) => !f.replay && !seen.has(f.eventId) && seen.add(f.eventId));
    if (fresh.length === 0) return { head: last, strays };
    // Never applied (no marker before this batch): all in one update.
    const doc = await apply(fresh);
    if (doc) return { head: doc, strays };
    const head = await read();
    if (!head || !isOpen(head))
      return { head, strays: [...strays, ...fresh.filter((f) => !head || !holds(head, f.eventId))] };
    // Open, yet the guard matched nothing: one of them is in it already. One by one, so that no fold
    // is dropped for another one's sake.
    for (const f of fresh) last = (await apply([f])) ?? last;
    return { head: last ?? head, strays };
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
   *   can start their push early; called again after the folds with those that folds finding their
   *   head read or archived became (`detach`); not called when nothing was inserted. They are all
   *   also in the result.
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
    // Markers are read only for the pairs without a head known here (they may start a burst): a
    // pair planned into a known head learns from its marker's insert that it is a replay ({@link mark}).
    const heads =
      windowMs > 0 ? this.knownOpenHeads(pairs.map(burstOf), storedAt, windowMs) : new Map<string, BurstHead>();
    const unknown = windowMs > 0 ? pairs.filter((p) => !p.mentioned && !heads.has(burstOf(p))) : [];
    const [preferences, markers] = await Promise.all([
      this.preferences.forUsers(recipients),
      this.readMarkers(
        events,
        unknown.map((p) => foldKey(p.e.eventId, p.recipientId)),
        source,
      ),
    ]);
    const plan = planBatch(events, { preferences, digestWindowMs: windowMs, markers, heads, storedAt });
    const inserted = await this.insert(plan.docs);
    const insertedIds = new Set(inserted.map((d) => d._id.toHexString()));
    // Folds into a head this batch made whose insert was a duplicate: notifications of their own.
    const orphans = plan.folds.filter((f) => f.freshHead && !insertedIds.has(f.headId.toHexString()));
    const byEvent = new Map(events.map((e) => [e.eventId, e]));
    if (orphans.length > 0) {
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
    const folded = await this.fold(folds, byEvent, storedAt, (f) =>
      markerBucket(source?.partition ?? '-', byEvent.get(f.eventId)!.occurredAt),
    );
    if (onInserted && folded.inserted.length > 0) await onInserted(folded.inserted);
    return { inserted: [...inserted, ...folded.inserted], updated: folded.updated };
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
   * The heads this process inserted within the window for `keys` (burst keys), presumed open: a
   * fold reaches one only while it is unread and not archived ({@link foldInto}), so no read is
   * needed first. Heads another process inserted are not known here (after a restart or a
   * rebalance): the next message of such a burst starts a new notification.
   */
  private knownOpenHeads(keys: string[], now: Date, windowMs: number): Map<string, BurstHead> {
    const heads = new Map<string, BurstHead>();
    for (const key of new Set(keys)) {
      const known = this.knownHeads.get(key);
      if (known && known.storedAt >= now.getTime() - windowMs)
        heads.set(key, { _id: known._id, senderIds: [...known.senderIds], fresh: false });
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
   * Applies `folds` in order: markers first ({@link mark}), then per head ({@link foldInto},
   * {@link FOLD_HEADS_IN_FLIGHT} heads side by side) its guarded updates, each returning the head as
   * it is after it (`findAndModify`); the folds that found their head read or archived become
   * notifications of their own ({@link detach}).
   * @returns the heads for the `notification.updated` push, and what {@link detach} inserted
   */
  private async fold(
    planned: Fold[],
    byEvent: ReadonlyMap<string, MessageCreatedEvent>,
    storedAt: Date,
    bucketOf: (f: Fold) => string,
  ): Promise<{ updated: FoldedNotification[]; inserted: StoredNotification[] }> {
    if (planned.length === 0) return { updated: [], inserted: [] };
    const folds = await this.mark(planned, bucketOf);
    const byHead = new Map<string, Fold[]>();
    for (const f of folds) {
      const key = f.headId.toHexString();
      const list = byHead.get(key);
      if (list) list.push(f);
      else byHead.set(key, [f]);
    }
    const after = await mapConcurrently([...byHead.values()], FOLD_HEADS_IN_FLIGHT, (list) => this.foldInto(list));
    const inserted = await this.detach(
      after.flatMap((a) => a.strays),
      byEvent,
      storedAt,
    );
    const docs: FoldedNotification[] = after
      .map((a) => a.head)
      .filter((d): d is StoredNotification => d !== null)
      .map((d) => ({
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
    return { updated: docs, inserted };
  }

  /**
   * Folds whose head was read or archived (or is gone) before they reached it: never counted there,
   * so each becomes a `message.created` notification of its own (the unique index stops a second
   * one), and its marker then names that notification, where a replay finds it (its own
   * `eventId`). The burst goes on from the latest of them. A crash between the two writes leaves the
   * marker naming the closed head, whose replay comes here again: a duplicate.
   * @returns the notifications inserted (duplicates left out)
   */
  private async detach(
    strays: readonly Fold[],
    byEvent: ReadonlyMap<string, MessageCreatedEvent>,
    storedAt: Date,
  ): Promise<StoredNotification[]> {
    if (strays.length === 0) return [];
    const inserted = await this.insert(
      strays.map((f) =>
        newNotification(byEvent.get(f.eventId)!, f.recipientId, NotificationTypes.MessageCreated, storedAt),
      ),
    );
    if (inserted.length === 0) return [];
    await this.markers.bulkWrite(
      inserted.map((d) => ({
        updateOne: { filter: { _id: foldKey(d.eventId, d.recipientId) }, update: { $set: { n: d._id } } },
      })),
      { ordered: false },
    );
    for (const d of inserted)
      this.knownHeads.set(burstKey(d.recipientId, d.conversationId), {
        _id: d._id,
        storedAt: storedAt.getTime(),
        senderIds: [d.senderId],
      });
    return inserted;
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
