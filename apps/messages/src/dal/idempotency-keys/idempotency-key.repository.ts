import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DocumentExpiry } from '@herald/mongo';
import { IdempotencyKey } from './idempotency-key.schema';

/** Idempotency keys are remembered this long (a TTL index deletes them no sooner), in seconds. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 3600;

/**
 * Data access of collection `idempotency_keys` (see {@link IdempotencyKey}): one upsert by lone
 * `_id` per keyed request. Keys expire after {@link IDEMPOTENCY_KEY_TTL_SECONDS} (a TTL index, or
 * a sweep where the server has none: see `DocumentExpiry`).
 */
@Injectable()
export class IdempotencyKeyRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly expiry: DocumentExpiry;

  constructor(@InjectModel(IdempotencyKey.name) private readonly keys: Model<IdempotencyKey>) {
    this.expiry = new DocumentExpiry(keys, 'createdAt', IDEMPOTENCY_KEY_TTL_SECONDS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.expiry.start().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.expiry.stop();
  }

  /**
   * The record of `id`, created from `fresh` when there is none (`$setOnInsert` upsert: a record,
   * once written, never changes).
   * @throws the driver's error, e.g. a duplicate key (11000) when two first requests raced on the
   *   upsert (the loser finds the winner's record on its next call)
   */
  reserve(id: string, fresh: Omit<IdempotencyKey, '_id'>): Promise<IdempotencyKey | null> {
    return this.keys
      .findOneAndUpdate({ _id: id }, { $setOnInsert: fresh }, { upsert: true, new: true })
      .lean<IdempotencyKey>()
      .exec();
  }
}
