import { Types } from 'mongoose';

/**
 * Hour buckets of an inbox: every notification carries `bucket: "<hour>:<recipientId>"`, where
 * `<hour>` is the hour (since the Unix epoch, UTC) of its `_id`'s timestamp. One plain equality on
 * that field selects one user's notifications of one hour.
 *
 * Why: the embedded FerretDB v1.24 pushes top-level equalities down to PostgreSQL but never a
 * sort, a limit or a range (internal/handler/msg_find.go: "Limit pushdown is not applied if
 * filter is set"), so `find({recipientId}).sort({_id: -1}).limit(21)` decodes every notification
 * of the user, 10,000+ for a heavy inbox. Walking the user's hours newest first, each query decodes
 * one hour of one inbox. On MongoDB the `{bucket: 1, _id: -1}` index serves the same queries.
 * (Time-bucketed partitions of a timeline are the usual shape in wide-column stores as well.)
 */

/** Milliseconds in one bucket (1 hour). */
export const BUCKET_MS = 3_600_000;

/** Hour (since the epoch, UTC) of an ObjectId's timestamp: the bucket it belongs to. */
export function hourOf(id: Types.ObjectId): number {
  return Math.floor(id.getTimestamp().getTime() / BUCKET_MS);
}

/** The `bucket` field of a notification of `recipientId` in hour `hour`. */
export function bucketKey(hour: number, recipientId: string): string {
  return `${hour}:${recipientId}`;
}

/**
 * The smallest ObjectId of an hour (timestamp at the hour's start, other bytes zero): every
 * `_id` of that hour or later is greater, every earlier one smaller.
 */
export function hourStartId(hour: number): Types.ObjectId {
  return Types.ObjectId.createFromTime((hour * BUCKET_MS) / 1000);
}

/**
 * The hours to query, newest first, for a page before `cursor` (exclusive; none = newest): the
 * recorded hours at or before the cursor's, strictly after `since` (the first hour the directory
 * recorded for the user, which may also hold notifications stored before buckets existed; those
 * are left to the plain query that follows the walk), at most `max` of them.
 * @param hours the user's recorded hours, any order, possibly with duplicates
 */
export function hoursToWalk(
  hours: readonly number[],
  since: number,
  cursor: Types.ObjectId | undefined,
  max: number,
): number[] {
  const top = cursor ? hourOf(cursor) : Infinity;
  return [...new Set(hours)]
    .filter((h) => h > since && h <= top)
    .sort((a, b) => b - a)
    .slice(0, max);
}

/**
 * The hours to query, oldest first, for what was stored after `after` (exclusive): the recorded
 * hours from `after`'s on, at most `max`, and whether that is all of them. Empty when `after`'s
 * hour is not after `since` (older notifications may predate buckets: the plain query reads them).
 * @param hours the user's recorded hours, any order, possibly with duplicates
 */
export function hoursAfter(
  hours: readonly number[],
  since: number,
  after: Types.ObjectId,
  max: number,
): { hours: number[]; complete: boolean } {
  const from = hourOf(after);
  if (from <= since) return { hours: [], complete: false };
  const all = [...new Set(hours)].filter((h) => h >= from).sort((a, b) => a - b);
  return { hours: all.slice(0, max), complete: all.length <= max };
}
