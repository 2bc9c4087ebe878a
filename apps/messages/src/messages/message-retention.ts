import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DocumentExpiry } from '@herald/mongo';
import { IdempotencyKey } from './idempotency-key.schema';

/** Idempotency keys are remembered this long (a TTL index deletes them no sooner), in seconds. */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 3600;

/** Expires idempotency keys after 24 h (TTL index, or a sweep where the server has no TTL). */
@Injectable()
export class MessageRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly keys: DocumentExpiry;

  constructor(@InjectModel(IdempotencyKey.name) model: Model<IdempotencyKey>) {
    this.keys = new DocumentExpiry(model, 'createdAt', IDEMPOTENCY_KEY_TTL_SECONDS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.keys.start().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.keys.stop();
  }
}
