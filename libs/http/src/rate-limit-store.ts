import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { Connection, Model, Schema } from 'mongoose';
import { DocumentExpiry } from '@herald/mongo';

/** Collection of the shared rate-limit counters. */
export const RATE_LIMIT_COLLECTION = 'rate_limits';

/** One hit: slot `n` of one limit's counter for one caller and window. */
interface HitDoc {
  /** `<counter>#<n>`: the unique `_id` makes each slot claimable once. */
  _id: string;
  /** `<limit>:<caller>@<window start, ms since epoch>` */
  counter: string;
  /** Start of the window. */
  windowStart: Date;
}

const HitSchema = new Schema<HitDoc>(
  { _id: String, counter: String, windowStart: Date },
  { versionKey: false, autoIndex: false },
);

/** Most slot claims per hit before the storage gives up (each lost race moves past the others' hits). */
const MAX_CLAIMS = 50;

/** How often expired counters are deleted where the server has no TTL index (FerretDB), in ms: 10 min. */
const COUNTER_SWEEP_MS = 600_000;
/** Storage errors are logged at most once per this many ms. */
const WARN_EVERY_MS = 10_000;

/**
 * @nestjs/throttler storage (its `ThrottlerStorage` interface) shared by every instance of a
 * deployment, in the app's MongoDB database (collection {@link RATE_LIMIT_COLLECTION}). A window
 * is `ttl` long and aligned on multiples of it (a fixed window, where the in-memory storage counts
 * from each caller's first hit): over the limit, a caller is blocked until the window ends, so
 * `Retry-After` is at most `ttl`.
 *
 * Each hit claims the next free slot of its counter by inserting `_id: <counter>#<n>`: the unique
 * `_id` index lets exactly one request claim each slot, so the n-th hit of a window sees n whatever
 * instance served it. An atomic `$inc` (`findOneAndUpdate` with upsert) would be one document
 * per counter instead, but FerretDB v1 applies updates as read-modify-write in Go: concurrent
 * `$inc`s on one document lost increments here (37 of 90 requests let through against a limit of
 * 30, test/cluster/shared-limits). A lost race (E11000) moves past the hits counted meanwhile
 * (`countDocuments` of the counter) and claims again, at most 50 times. Cost: one small document
 * per request and window.
 *
 * Counters expire with their window: a TTL index on `windowStart` on MongoDB, or a sweep every
 * 10 min where TTL indexes are unsupported (FerretDB v1; {@link DocumentExpiry}).
 *
 * When the database cannot be reached, requests are let through (logged, at most every 10 s): a
 * rate limit must not make routes that need no database unavailable; those that do answer 503.
 */
@Injectable()
export class MongoThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MongoThrottlerStorage.name);
  private readonly model: Model<HitDoc>;
  /** Last slot this instance claimed per counter (its next guess). */
  private readonly lastSlot = new Map<string, number>();
  private expiry?: DocumentExpiry;
  private lastWarn = 0;

  constructor(@InjectConnection() connection: Connection) {
    this.model =
      connection.models.RateLimitHit ?? connection.model<HitDoc>('RateLimitHit', HitSchema, RATE_LIMIT_COLLECTION);
  }

  async onModuleInit(): Promise<void> {
    // Counters outlive their window by one window at least (a TTL monitor runs about every 60 s).
    this.expiry = new DocumentExpiry(this.model, 'windowStart', 600, COUNTER_SWEEP_MS);
    await this.expiry
      .start()
      .catch((err: Error) => this.logger.warn(`rate-limit counter expiry not set up: ${err.message}`));
    await this.model.collection
      .createIndex({ counter: 1 }, { name: 'counter_1' })
      .catch((err: Error) => this.logger.warn(`rate-limit counter index not built: ${err.message}`));
  }

  onModuleDestroy(): void {
    this.expiry?.stop();
  }

  /**
   * Counts one hit of `key` in the current window.
   * @param ttl window length, in ms
   * @param limit hits allowed per window
   * @returns `totalHits` so far in the window; `timeToExpire` and `timeToBlockExpire`: seconds until
   *   the window ends (≥ 1); `isBlocked` when `totalHits` exceeds `limit`
   */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const windowStart = Math.floor(now / ttl) * ttl;
    const secondsLeft = Math.max(1, Math.ceil((windowStart + ttl - now) / 1000));
    try {
      const hits = await this.hit(`${key}@${windowStart}`, new Date(windowStart));
      return {
        totalHits: hits,
        timeToExpire: secondsLeft,
        isBlocked: hits > limit,
        timeToBlockExpire: hits > limit ? secondsLeft : 0,
      };
    } catch (err) {
      if (now - this.lastWarn > WARN_EVERY_MS) {
        this.lastWarn = now;
        this.logger.warn(`rate-limit store unavailable, request let through: ${(err as Error).message}`);
      }
      return { totalHits: 0, timeToExpire: secondsLeft, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /** Claims the next free slot of `counter` in its window; returns its number (the hits so far). */
  private async hit(counter: string, windowStart: Date): Promise<number> {
    let n = (this.lastSlot.get(counter) ?? 0) + 1;
    for (let claim = 0; claim < MAX_CLAIMS; claim++) {
      try {
        await this.model.collection.insertOne({ _id: `${counter}#${n}` as never, counter, windowStart });
        this.remember(counter, n);
        return n;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        n = Math.max(n + 1, (await this.model.collection.countDocuments({ counter })) + 1);
      }
    }
    throw new Error(`no free rate-limit slot for ${counter} after ${MAX_CLAIMS} claims`);
  }

  /** Keeps the last slot of the current counters only (older windows' entries are dropped). */
  private remember(counter: string, n: number): void {
    if (this.lastSlot.size > 10_000) this.lastSlot.clear();
    this.lastSlot.set(counter, n);
  }
}
