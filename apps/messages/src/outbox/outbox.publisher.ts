import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Topics } from '@herald/contracts';
import { AppConfig } from '@herald/config';
import { EventPublisher } from '@herald/kafka';
import { HeraldMetrics } from '@herald/observability';
import { toMessageCreatedRecord } from '../messages/message-created.mapper';
import { Message, MessageDocument } from '../messages/message.schema';

/** Longest wait between two relay attempts for one message, in ms. */
export const MAX_BACKOFF_MS = 30_000;
/** How long shutdown waits for in-flight publishes to be acknowledged, in ms. */
export const SHUTDOWN_FLUSH_MS = 10_000;

/** Exponential backoff after `attempts` failures: 500 ms · 2^(attempts-1), capped at 30 s. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.max(0, attempts - 1));
}

type Outcome = { ok: true } | { ok: false; error: string };

/**
 * Publishes a stored message's `message.created` event and records the outcome on the message
 * (its outbox state). Waits at most `PUBLISH_TIMEOUT_MS`; a send still running after that keeps
 * going in the background and marks the message `published` if it later succeeds. On failure the
 * message stays `pending` with attempts, last error and next attempt time, for the
 * {@link OutboxRelay}. Never throws on a Kafka failure.
 *
 * Metrics: every acknowledged event counts in `herald_events_published_total{topic}` (a send that
 * timed out and succeeded later too); every attempt that failed or timed out counts once in
 * `herald_publish_failures_total{topic}`.
 */
@Injectable()
export class OutboxPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(OutboxPublisher.name);
  private readonly inFlight = new Set<Promise<Outcome>>();

  constructor(
    @InjectModel(Message.name) private readonly messages: Model<Message>,
    private readonly events: EventPublisher,
    private readonly config: AppConfig,
    private readonly metrics: HeraldMetrics,
  ) {}

  /** @returns true when Kafka acknowledged the event within `PUBLISH_TIMEOUT_MS` */
  async publish(doc: MessageDocument): Promise<boolean> {
    const timeoutMs = this.config.env.PUBLISH_TIMEOUT_MS;
    const sent = this.send(doc, timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([sent, deadline]).finally(() => clearTimeout(timer));
    if (outcome === 'timeout') {
      await this.recordFailure(doc, `no acknowledgement within ${timeoutMs} ms`);
      void sent.then((late) => {
        if (late.ok) return this.markPublished(doc);
        this.logger.debug(`event ${doc.eventId} (message ${doc._id.toHexString()}): late publish failed, left to the relay: ${late.error}`);
      });
      return false;
    }
    if (!outcome.ok) {
      await this.recordFailure(doc, outcome.error);
      return false;
    }
    await this.markPublished(doc);
    return true;
  }

  /** Flushes: waits (up to {@link SHUTDOWN_FLUSH_MS}) for sends still in flight. */
  async onApplicationShutdown(): Promise<void> {
    if (this.inFlight.size === 0) return;
    this.logger.log(`waiting for ${this.inFlight.size} in-flight publish(es)`);
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, SHUTDOWN_FLUSH_MS).unref())]);
  }

  private send(doc: MessageDocument, connectTimeoutMs: number): Promise<Outcome> {
    const p = this.events
      .publish(Topics.MessageCreated, toMessageCreatedRecord(doc), connectTimeoutMs)
      .then((): Outcome => {
        this.metrics.published(Topics.MessageCreated);
        return { ok: true };
      })
      .catch((err: Error): Outcome => ({ ok: false, error: err.message.slice(0, 500) }))
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  private async recordFailure(doc: MessageDocument, error: string): Promise<void> {
    this.metrics.publishFailed(Topics.MessageCreated);
    const attempts = doc.publishAttempts + 1;
    this.logger.warn(`event ${doc.eventId} (message ${doc._id.toHexString()}) not published, attempt ${attempts}: ${error}`);
    await this.messages
      .updateOne(
        { _id: doc._id, publishState: 'pending' },
        { $set: { lastPublishError: error, nextAttemptAt: new Date(Date.now() + backoffMs(attempts)) }, $inc: { publishAttempts: 1 } },
      )
      .catch((e: Error) => this.logger.warn(`could not record publish failure of ${doc.eventId}: ${e.message}`));
  }

  private async markPublished(doc: MessageDocument): Promise<void> {
    doc.publishState = 'published';
    await this.messages
      .updateOne(
        { _id: doc._id },
        { $set: { publishState: 'published', publishedAt: new Date(), lastPublishError: null }, $inc: { publishAttempts: 1 } },
      )
      .catch((e: Error) => this.logger.warn(`event ${doc.eventId} published but not marked (the relay will republish; the consumer dedupes): ${e.message}`));
  }
}
