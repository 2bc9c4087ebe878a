import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { AppConfig } from '@herald/config';
import { DocumentExpiry } from '@herald/mongo';
import { Notification } from './notification.schema';

/**
 * Retention: notifications expire `NOTIFICATION_TTL_DAYS` days after they were stored — a TTL index
 * on `storedAt` on MongoDB, a periodic sweep on servers without TTL indexes (FerretDB v1).
 */
@Injectable()
export class NotificationRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly expiry: DocumentExpiry;

  constructor(@InjectModel(Notification.name) model: Model<Notification>, config: AppConfig) {
    this.expiry = new DocumentExpiry(model, 'storedAt', config.env.NOTIFICATION_TTL_DAYS * 86_400);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.expiry.start().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.expiry.stop();
  }
}
