import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DocumentExpiry } from '@herald/mongo';
import { DIGEST_FOLD_TTL_SECONDS, DigestFold } from '../dal/digest-folds/digest-fold.schema';

/** Expires fold markers after {@link DIGEST_FOLD_TTL_SECONDS} (TTL index, or the hourly sweep on FerretDB v1). */
@Injectable()
export class DigestFoldRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly expiry: DocumentExpiry;

  constructor(@InjectModel(DigestFold.name) model: Model<DigestFold>) {
    this.expiry = new DocumentExpiry(model, 'at', DIGEST_FOLD_TTL_SECONDS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.expiry.start().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.expiry.stop();
  }
}
