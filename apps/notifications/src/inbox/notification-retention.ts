import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DocumentExpiry, SWEEP_INTERVAL_MS } from '@herald/mongo';
import { InboxBucketDirectory } from './inbox-bucket.directory';
import { Notification } from '../dal/notifications/notification.schema';
import { notificationsSettings, NotificationsSettings } from '../notifications.settings';

/**
 * Retention: notifications expire `NOTIFICATION_TTL_DAYS` days after they were stored — a TTL index
 * on `storedAt` on MongoDB, a periodic sweep on servers without TTL indexes (FerretDB v1). The
 * inbox hour directory drops the expired hours on the same hourly rhythm, on every server.
 */
@Injectable()
export class NotificationRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly expiry: DocumentExpiry;

  private readonly logger = new Logger(NotificationRetention.name);
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    @InjectModel(Notification.name) model: Model<Notification>,
    @Inject(notificationsSettings.KEY) private readonly settings: NotificationsSettings,
    private readonly directory: InboxBucketDirectory,
  ) {
    this.expiry = new DocumentExpiry(model, 'storedAt', settings.NOTIFICATION_TTL_DAYS * 86_400);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.expiry.start().catch(() => undefined);
    this.pruneTimer = setInterval(() => void this.pruneDirectory(), SWEEP_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  onApplicationShutdown(): void {
    this.expiry.stop();
    clearInterval(this.pruneTimer);
  }

  /** Drops expired hours from the inbox directory; a failure is logged and retried next hour. */
  async pruneDirectory(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.settings.NOTIFICATION_TTL_DAYS * 86_400_000);
    return this.directory.prune(cutoff).catch((err: Error) => {
      this.logger.warn(`inbox directory prune failed (next one in ${SWEEP_INTERVAL_MS / 60_000} min): ${err.message}`);
      return 0;
    });
  }
}
