import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { retryDelayMs } from '@herald/kafka';
import type { StoredMessage } from '../messages/message.schema';
import { OutboxEntry, StoredOutboxEntry } from './outbox-entry.schema';
import { packOutboxMessages, RawOutboxEntry, unpackOutboxEntry } from './outbox-payload';

/** Longest wait between two relay attempts for one entry, in ms. */
export const MAX_BACKOFF_MS = 30_000;

/**
 * Exponential backoff after `attempts` failures: 500 ms · 2^(attempts-1), capped at 30 s (the batch
 * consumers' formula, other bounds).
 */
export function backoffMs(attempts: number): number {
  return retryDelayMs(attempts, 500, MAX_BACKOFF_MS);
}

/**
 * Data access of collection `outbox` (see {@link OutboxEntry}). Every write and every per-entry
 * read goes through the driver by lone `_id` (the only filter FerretDB's SQLite backend pushes
 * down); the relay's scan reads only the entries not yet acknowledged.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectModel(OutboxEntry.name) private readonly entries: Model<OutboxEntry>) {}

  /**
   * Writes the entry of one group commit (before its messages are stored), the copies of the
   * messages packed into one binary `payload` (see {@link packOutboxMessages}).
   * @param messages  complete messages, as they will be stored
   * @param minAgeMs  the relay leaves the entry alone this long (the request path publishes it), in ms
   * @returns the entry's `_id`
   * @throws the driver's error when the write fails (then nothing of the group is stored)
   */
  async add(messages: StoredMessage[], minAgeMs: number): Promise<Types.ObjectId> {
    const _id = new Types.ObjectId();
    const now = new Date();
    await this.entries.collection.insertOne({
      _id,
      messageIds: messages.map((m) => m._id),
      payload: packOutboxMessages(messages),
      createdAt: now,
      nextAttemptAt: new Date(now.getTime() + minAgeMs),
      attempts: 0,
      lastError: null,
    });
    return _id;
  }

  /** Deletes an entry: its events were acknowledged (or none of its messages was stored). */
  async remove(id: Types.ObjectId): Promise<void> {
    await this.entries.collection.deleteOne({ _id: id });
  }

  /**
   * Deletes acknowledged entries in one `delete` command holding one statement per entry, each
   * filtered by its lone `_id`. FerretDB v1.24 runs every delete statement as a query for the
   * matching documents and then a `DELETE ... WHERE _id IN (...)` (handler/msg_delete.go); it
   * pushes a lone `_id` equality down to the backend but not `_id: {$in}`, so one `deleteMany` by
   * `$in` read and decoded every entry in the outbox (each with copies of its messages) on each
   * call: about a quarter of PostgreSQL's statement time under load, measured with
   * pg_stat_statements (bench/findings.md). By `_id`, each statement reads only its own entry.
   */
  async removeMany(ids: Types.ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    await this.entries.collection.bulkWrite(
      ids.map((_id) => ({ deleteOne: { filter: { _id } } })),
      { ordered: false },
    );
  }

  /**
   * Records a failed publish: `attempts + 1`, the error, and the next attempt after {@link backoffMs}.
   * @param attempts the entry's attempts before this failure
   */
  async recordFailure(id: Types.ObjectId, attempts: number, error: string): Promise<void> {
    await this.entries.collection.updateOne(
      { _id: id },
      {
        $set: { lastError: error, nextAttemptAt: new Date(Date.now() + backoffMs(attempts + 1)) },
        $inc: { attempts: 1 },
      },
    );
  }

  /**
   * Entries the relay may publish now, oldest first (at most `limit`): the oldest entries up to, not
   * including, the first one not yet due (in backoff, leased by another relay, or still the request
   * path's). An entry never goes out before an older pending one, so within a conversation no event
   * overtakes an older one the relay still holds. The due entries come with their message copies
   * unpacked (see {@link unpackOutboxEntry}).
   * @throws BSONError / Error for a due entry whose copies cannot be unpacked (a corrupt entry)
   */
  async due(now: Date, limit: number): Promise<StoredOutboxEntry[]> {
    const oldest = await this.entries.collection
      .find<RawOutboxEntry>({})
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    const blocked = oldest.findIndex((e) => e.nextAttemptAt.getTime() > now.getTime());
    return (blocked < 0 ? oldest : oldest.slice(0, blocked)).map(unpackOutboxEntry);
  }

  /**
   * Claims an entry for `leaseMs` with a conditional update of `nextAttemptAt`, so two relays rarely
   * publish the same entry (when they do, consumers still deduplicate by eventId).
   * @returns true when this caller holds the lease
   */
  async claim(entry: StoredOutboxEntry, now: Date, leaseMs: number): Promise<boolean> {
    const until = new Date(now.getTime() + leaseMs);
    const res = await this.entries.collection.updateOne(
      { _id: entry._id, nextAttemptAt: entry.nextAttemptAt },
      { $set: { nextAttemptAt: until } },
    );
    if (res.modifiedCount === 1) entry.nextAttemptAt = until;
    return res.modifiedCount === 1;
  }

  /**
   * Messages whose events are not acknowledged yet (sum over the entries; the collection holds
   * nothing else, so this reads O(pending) documents).
   * @param maxTimeMs server-side time limit, in ms
   * @throws the driver's error when MongoDB fails or the limit is exceeded
   */
  async backlog(maxTimeMs?: number): Promise<number> {
    const rows = await this.entries.collection
      .find<{ messageIds: unknown[] }>(
        {},
        { projection: { messageIds: 1 }, ...(maxTimeMs ? { maxTimeMS: maxTimeMs } : {}) },
      )
      .toArray();
    return rows.reduce((n, r) => n + r.messageIds.length, 0);
  }

  /** Which of these messages' events still wait in the outbox (one query for a page of messages). */
  async pendingAmong(messageIds: Types.ObjectId[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows = await this.entries.collection
      .find<{ messageIds: Types.ObjectId[] }>({ messageIds: { $in: messageIds } }, { projection: { messageIds: 1 } })
      .toArray();
    return new Set(rows.flatMap((r) => r.messageIds.map((id) => id.toHexString())));
  }

  /** True while the message's event waits in the outbox (not yet acknowledged by Kafka). */
  async isPending(messageId: Types.ObjectId): Promise<boolean> {
    return (await this.entries.collection.countDocuments({ messageIds: messageId }, { limit: 1 })) > 0;
  }
}
