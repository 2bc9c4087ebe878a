import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Types } from 'mongoose';
import { Topics } from '@herald/contracts';
import { EventPublisher } from '@herald/kafka';
import { HeraldMetrics } from '@herald/observability';
import { toMessageCreatedRecord } from './message-created.mapper';
import type { StoredMessage } from '../dal/messages/message.schema';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { messagesSettings, MessagesSettings } from '../messages.settings';

/** How long shutdown waits for in-flight publishes to be acknowledged, in ms. */
export const SHUTDOWN_FLUSH_MS = 10_000;
/**
 * Acknowledged entries are deleted together, at most this long after their acknowledgement (ms):
 * one `delete` command per interval instead of one per group commit. Far below
 * `OUTBOX_RELAY_MIN_AGE_MS`, so the relay never sees them as due; after a crash in between, the
 * relay republishes them (consumers deduplicate by eventId).
 */
export const SETTLE_INTERVAL_MS = 50;

type Outcome = { ok: true } | { ok: false; error: string };

/** What to publish: an outbox entry and the stored messages of it whose events are due. */
export interface OutboxBatch {
  entryId: Types.ObjectId;
  /** Failed attempts of the entry so far (0 on the request path). */
  attempts: number;
  messages: StoredMessage[];
}

/**
 * Publishes the `message.created` events of one outbox entry with one producer call and settles
 * the entry: deleted once Kafka acknowledged every event, else left for the {@link OutboxRelay}
 * with the error and a backoff. Waits at most `PUBLISH_TIMEOUT_MS`; a send still running after that
 * keeps going in the background and deletes the entry if it later succeeds. Never throws on a
 * Kafka or MongoDB failure (the entry stays, so the relay retries).
 *
 * Metrics: every acknowledged event counts in `herald_events_published_total{topic}` (a send that
 * timed out and succeeded later too); every attempt that failed or timed out counts once in
 * `herald_publish_failures_total{topic}`.
 */
@Injectable()
export class OutboxPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(OutboxPublisher.name);
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Acknowledged entries waiting for the next batched delete. */
  private acknowledged: Types.ObjectId[] = [];
  private settleTimer?: NodeJS.Timeout;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly events: EventPublisher,
    @Inject(messagesSettings.KEY) private readonly settings: MessagesSettings,
    private readonly metrics: HeraldMetrics,
  ) {}

  /** @returns true when Kafka acknowledged all events of the batch within `PUBLISH_TIMEOUT_MS` */
  async publish(batch: OutboxBatch): Promise<boolean> {
    const timeoutMs = this.settings.PUBLISH_TIMEOUT_MS;
    const sent = this.send(batch, timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([sent, deadline]).finally(() => clearTimeout(timer));
    if (outcome === 'timeout') {
      this.failed(batch, `no acknowledgement within ${timeoutMs} ms`);
      void sent.then((late) => {
        if (late.ok) return this.settle(batch);
        this.logger.debug(
          `outbox entry ${batch.entryId.toHexString()}: late publish failed, left to the relay: ${late.error}`,
        );
      });
      return false;
    }
    if (!outcome.ok) {
      this.failed(batch, outcome.error);
      return false;
    }
    this.settle(batch);
    return true;
  }

  /** Flushes: waits (up to {@link SHUTDOWN_FLUSH_MS}) for sends still in flight, then deletes the acknowledged entries. */
  async onApplicationShutdown(): Promise<void> {
    if (this.inFlight.size > 0) {
      this.logger.log(`waiting for ${this.inFlight.size} in-flight publish(es)`);
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((r) => setTimeout(r, SHUTDOWN_FLUSH_MS).unref()),
      ]);
    }
    clearTimeout(this.settleTimer);
    await this.deleteAcknowledged();
  }

  private send(batch: OutboxBatch, connectTimeoutMs: number): Promise<Outcome> {
    return this.track(
      this.events
        .publishBatch(Topics.MessageCreated, batch.messages.map(toMessageCreatedRecord), connectTimeoutMs)
        .then((): Outcome => {
          this.metrics.published(Topics.MessageCreated, batch.messages.length);
          return { ok: true };
        })
        .catch((err: Error): Outcome => ({ ok: false, error: err.message.slice(0, 500) })),
    );
  }

  /**
   * Queues the acknowledged entry for the next batched delete ({@link SETTLE_INTERVAL_MS}), off the
   * caller's path (a crash before it only means a republish).
   */
  private settle(batch: OutboxBatch): void {
    this.acknowledged.push(batch.entryId);
    this.settleTimer ??= setTimeout(() => {
      this.settleTimer = undefined;
      void this.track(this.deleteAcknowledged());
    }, SETTLE_INTERVAL_MS);
  }

  private async deleteAcknowledged(): Promise<void> {
    const ids = this.acknowledged;
    this.acknowledged = [];
    await this.outbox
      .removeMany(ids)
      .catch((e: Error) =>
        this.logger.warn(
          `${ids.length} acknowledged outbox entr(ies) not deleted (the relay will republish; consumers dedupe): ${e.message}`,
        ),
      );
  }

  private failed(batch: OutboxBatch, error: string): void {
    this.metrics.publishFailed(Topics.MessageCreated);
    this.logger.warn(
      `outbox entry ${batch.entryId.toHexString()} (${batch.messages.length} event(s)) not published, attempt ${batch.attempts + 1}: ${error}`,
    );
    void this.track(
      this.outbox
        .recordFailure(batch.entryId, batch.attempts, error)
        .catch((e: Error) =>
          this.logger.warn(
            `could not record publish failure of outbox entry ${batch.entryId.toHexString()}: ${e.message}`,
          ),
        ),
    );
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }
}
