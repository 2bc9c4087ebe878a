import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MessageRepository } from '../dal/messages/message.repository';
import { StoredOutboxEntry } from '../dal/outbox/outbox-entry.schema';
import { OutboxPublisher } from './outbox.publisher';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { messagesSettings, MessagesSettings } from '../messages.settings';

/** Outbox entries read per relay pass. */
export const RELAY_BATCH_SIZE = 50;
/** How long a claimed entry is reserved for the instance that claimed it, in ms. */
export const RELAY_LEASE_MS = 15_000;

/**
 * The outbox relay: every `OUTBOX_RELAY_INTERVAL_MS` it publishes the outbox entries that are due
 * (the request path failed, timed out, or the process died after writing the entry), oldest first.
 * It reads collection `outbox` only, which holds nothing but unacknowledged events: an idle relay
 * costs O(pending) on every server, not O(stored messages).
 *
 * - Nothing half-stored: before publishing an entry it stores the entry's messages again
 *   (`insertMany`, duplicates ignored), so a crash between the entry and the messages' insert
 *   ends with both.
 * - Order: entries are published oldest first, a pass goes no further than the first entry not yet
 *   due (in backoff, or leased by another instance; see `OutboxRepository.due`) and stops at the
 *   first it cannot claim or publish, so within a conversation no event overtakes an older pending
 *   one of the relay. The price: one entry in backoff holds back the younger ones (at most
 *   `MAX_BACKOFF_MS`, 30 s), which only happens while Kafka refuses sends anyway.
 * - Several instances: each entry is claimed with a conditional update (a lease), so two relays
 *   rarely publish the same entry; when they do, consumers deduplicate by eventId.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly messages: MessageRepository,
    private readonly publisher: OutboxPublisher,
    @Inject(messagesSettings.KEY) private readonly settings: MessagesSettings,
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
   * Messages whose events Kafka has not acknowledged yet (the relay backlog), for metrics and tests.
   * @param maxTimeMs server-side time limit, in ms (none when omitted)
   * @throws the driver's error when MongoDB fails or the limit is exceeded
   */
  backlog(maxTimeMs?: number): Promise<number> {
    return this.outbox.backlog(maxTimeMs);
  }

  /**
   * One relay pass. Public so tests and shutdown can drive it.
   * @returns how many events were published in this pass
   */
  async runOnce(): Promise<number> {
    const now = new Date();
    const due = await this.outbox.due(now, RELAY_BATCH_SIZE);
    let published = 0;
    for (const entry of due) {
      if (this.stopped && published > 0) break;
      if (!(await this.outbox.claim(entry, now, RELAY_LEASE_MS))) break;
      const sent = await this.publishEntry(entry);
      if (sent < 0) break;
      published += sent;
    }
    if (published > 0) this.logger.log(`outbox relay published ${published} pending event(s)`);
    return published;
  }

  /** @returns events published, or -1 when the publish failed (the entry stays, with a backoff) */
  private async publishEntry(entry: StoredOutboxEntry): Promise<number> {
    const { rejected } = await this.messages.insertMany(entry.messages);
    for (const [i, err] of rejected) {
      this.logger.warn(
        `outbox entry ${entry._id.toHexString()}: message ${entry.messages[i]._id.toHexString()} cannot be stored, its event is dropped: ${err.message}`,
      );
    }
    // Inserted now, or already stored (a duplicate key: the same message, same eventId).
    const ok = entry.messages.filter((_, i) => !rejected.has(i));
    if (ok.length === 0) {
      await this.outbox.remove(entry._id);
      return 0;
    }
    return (await this.publisher.publish({ entryId: entry._id, attempts: entry.attempts, messages: ok }))
      ? ok.length
      : -1;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: Error) => this.logger.warn(`outbox relay pass failed: ${err.message}`))
        .finally(() => this.schedule());
    }, this.settings.OUTBOX_RELAY_INTERVAL_MS);
    this.timer.unref();
  }
}
