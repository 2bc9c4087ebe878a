import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, trusted } from 'mongoose';
import { AppConfig } from '@herald/config';
import { Message, MessageDocument } from '../messages/message.schema';
import { OutboxPublisher } from './outbox.publisher';

/** Messages claimed per relay pass. */
export const RELAY_BATCH_SIZE = 200;
/** How long a claimed message is reserved for the instance that claimed it, in ms. */
export const RELAY_LEASE_MS = 15_000;

// Filters built here hold operators on purpose: `trusted()` exempts them from `sanitizeFilter`.

/**
 * The outbox relay: every `OUTBOX_RELAY_INTERVAL_MS` it republishes messages still `pending` after
 * `OUTBOX_RELAY_MIN_AGE_MS` (the request path failed, timed out, or the process died between the
 * insert and the publish), oldest first.
 *
 * - Order: within one conversation, a message is never published before an older pending one;
 *   after a failure the rest of that conversation waits for the next pass.
 * - Several instances: each message is claimed with a conditional update of `nextAttemptAt`
 *   (a lease), so two relays rarely publish the same event; when they do, the consumer's unique
 *   (eventId, recipientId) index still stores one notification.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly publisher: OutboxPublisher,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Messages still pending (the relay backlog: stored, event not yet acknowledged by Kafka), for
   * metrics and tests.
   * @param maxTimeMs server-side time limit of the count, in ms (none when omitted)
   * @throws the driver's error when MongoDB fails or the limit is exceeded
   */
  backlog(maxTimeMs?: number): Promise<number> {
    const count = this.messages.countDocuments({ publishState: 'pending' });
    return (maxTimeMs ? count.maxTimeMS(maxTimeMs) : count).exec();
  }

  /**
   * One relay pass. Public so tests and shutdown can drive it.
   * @returns how many events were published in this pass
   */
  async runOnce(minAgeMs = this.config.env.OUTBOX_RELAY_MIN_AGE_MS): Promise<number> {
    const now = new Date();
    const due = await this.messages
      .find({
        publishState: 'pending',
        createdAt: trusted({ $lte: new Date(now.getTime() - minAgeMs) }),
        $or: [{ nextAttemptAt: null }, { nextAttemptAt: trusted({ $lte: now }) }],
      })
      .sort({ createdAt: 1, _id: 1 })
      .limit(RELAY_BATCH_SIZE)
      .exec();
    const blocked = new Set<string>();
    let published = 0;
    for (const doc of due) {
      if (this.stopped && published > 0) break;
      if (blocked.has(doc.conversationId)) continue;
      if (!(await this.claim(doc, now))) {
        blocked.add(doc.conversationId);
        continue;
      }
      if (await this.publisher.publish(doc)) published++;
      else blocked.add(doc.conversationId);
    }
    if (published > 0) this.logger.log(`outbox relay published ${published} pending event(s)`);
    return published;
  }

  private async claim(doc: MessageDocument, now: Date): Promise<boolean> {
    const res = await this.messages.updateOne(
      { _id: doc._id, publishState: 'pending', nextAttemptAt: doc.nextAttemptAt },
      { $set: { nextAttemptAt: new Date(now.getTime() + RELAY_LEASE_MS) } },
    );
    if (res.modifiedCount === 1) doc.nextAttemptAt = new Date(now.getTime() + RELAY_LEASE_MS);
    return res.modifiedCount === 1;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: Error) => this.logger.warn(`outbox relay pass failed: ${err.message}`))
        .finally(() => this.schedule());
    }, this.config.env.OUTBOX_RELAY_INTERVAL_MS);
    this.timer.unref();
  }
}
