import { Logger } from '@nestjs/common';
import { Model } from 'mongoose';

/** Default time between two sweeps where TTL indexes are unsupported, in ms (1 h). */
export const SWEEP_INTERVAL_MS = 3_600_000;

/** How documents of a collection expire: a TTL index, or Herald's periodic sweep. */
export type ExpiryMode = 'ttl-index' | 'sweep';

/**
 * Expires documents `ttlSeconds` after the date in `field`.
 *
 * On MongoDB a TTL index does it (MongoDB manual, "TTL Indexes": the server's monitor deletes
 * expired documents about every 60 s). Servers without TTL support (FerretDB v1 answers
 * `NotImplemented`, code 238, for `expireAfterSeconds`) get a sweep instead: a `deleteMany` of
 * expired documents every `sweepIntervalMs` (default {@link SWEEP_INTERVAL_MS}). Such servers
 * cannot use an index for the date range (FerretDB v1 pushes down no range filter), so each sweep
 * reads the whole collection: the interval is long (retention is counted in hours and days, so a
 * document outlives its TTL by at most one interval), keeping an idle server idle at any volume.
 * Call {@link stop} on shutdown.
 */
export class DocumentExpiry {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  mode?: ExpiryMode;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any collection: only deleteMany and index calls, no document shape
    private readonly model: Model<any>,
    private readonly field: string,
    private readonly ttlSeconds: number,
    private readonly sweepIntervalMs = SWEEP_INTERVAL_MS,
  ) {
    this.logger = new Logger(`DocumentExpiry(${model.collection.collectionName})`);
  }

  /** Creates the TTL index, or starts the sweep when the server does not support TTL indexes. */
  async start(): Promise<ExpiryMode> {
    try {
      await this.model.collection.createIndex(
        { [this.field]: 1 },
        { expireAfterSeconds: this.ttlSeconds, name: `${this.field}_ttl` },
      );
      this.mode = 'ttl-index';
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 85 || code === 86) {
        // IndexOptionsConflict / IndexKeySpecsConflict: a TTL index with another TTL exists; update it.
        await this.model.db.db!.command({
          collMod: this.model.collection.collectionName,
          index: { name: `${this.field}_ttl`, expireAfterSeconds: this.ttlSeconds },
        });
        this.mode = 'ttl-index';
      } else {
        this.logger.log(
          `TTL index unsupported here (${(err as Error).message}); sweeping every ${this.sweepIntervalMs} ms`,
        );
        this.mode = 'sweep';
        this.timer = setInterval(
          () => void this.sweepOnce().catch((e: Error) => this.logger.warn(`sweep failed: ${e.message}`)),
          this.sweepIntervalMs,
        );
        this.timer.unref();
      }
    }
    return this.mode;
  }

  /**
   * Deletes documents whose `field` is older than `ttlSeconds` before `now`.
   * @returns how many were deleted
   */
  async sweepOnce(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.ttlSeconds * 1000);
    const res = await this.model.collection.deleteMany({ [this.field]: { $lt: cutoff } });
    return res.deletedCount;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
