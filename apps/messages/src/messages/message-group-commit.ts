import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { HeraldMetrics } from '@herald/observability';
import { OutboxPublisher } from '../outbox/outbox.publisher';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { StoredMessage } from '../dal/messages/message.schema';
import { MessageRepository } from '../dal/messages/message.repository';
import { messagesSettings, MessagesSettings } from '../messages.settings';

/**
 * Most bytes of events one group commit publishes (estimated, see {@link eventBytes}). Kafka
 * refuses a record batch larger than the topic's `max.message.bytes` (broker `message.max.bytes`,
 * default 1 MiB; Kafka docs, "Topic Configs"), and kafkajs sends a group's records of one
 * partition as one batch, so a group stays well under that. A single message (≤ 4,000 characters,
 * ≤ 100 recipients) is ~30 KB at most.
 */
export const GROUP_COMMIT_MAX_BYTES = 512 * 1024;

/** Upper estimate of a message's `message.created` record, in bytes (UTF-8 body + ids + envelope). */
export function eventBytes(doc: StoredMessage): number {
  return Buffer.byteLength(doc.body) + 4 * doc.recipientIds.reduce((n, r) => n + r.length + 3, 0) + 400;
}

/** What a request learns once its message went through a group commit. */
export interface CommitResult {
  /** true when Kafka acknowledged the message's event within `PUBLISH_TIMEOUT_MS`. */
  published: boolean;
}

interface Pending {
  doc: StoredMessage;
  resolve(r: CommitResult): void;
  reject(e: Error): void;
}

/**
 * Group commit of the write path: messages submitted by concurrent requests are stored and
 * published together, the way a database group-commits its log and Kafka's producer lingers to
 * fill a batch. One flush of up to `INGEST_BATCH_MAX` messages (and {@link GROUP_COMMIT_MAX_BYTES})
 * does:
 *
 * 1. one outbox `insertOne` holding copies of all of them (see `OutboxEntry`: written first, so a
 *    crash at any later point leaves the relay able to finish the job);
 * 2. one unordered `insertMany` into `messages` (a rejected document fails only its own request;
 *    a duplicate key reaches its request as a `DocumentWriteError` with code 11000, which the
 *    Idempotency-Key path turns into a replay);
 * 3. one Kafka produce call with the events of the stored ones (`emitBatch`, key = conversationId),
 *    then the outbox entry is deleted off the request path.
 *
 * Each request resolves only after its own message is stored and its event acknowledged, or handed
 * to the relay after `PUBLISH_TIMEOUT_MS`.
 *
 * Pipelining: up to `INGEST_PIPELINE_DEPTH` groups are in flight at once. Their stores (steps 1–2)
 * overlap, while their produce calls (step 3) run one at a time in the order the groups were
 * formed: a group publishes only after the previous group's publish settled. So a message
 * submitted after another one's request resolved is still published after it (per-conversation
 * order on its partition); the producer itself runs one send at a time (`inSendLane` in
 * @herald/kafka). Depth 1 is
 * the unpipelined writer: one flush at a time.
 *
 * An idle writer flushes at the end of the current event-loop turn (or after `INGEST_LINGER_MS`);
 * while every pipeline slot is busy, arrivals queue for the next group, so batches grow with load
 * and cost nothing at low load.
 */
@Injectable()
export class MessageGroupCommit implements OnApplicationShutdown {
  private readonly logger = new Logger(MessageGroupCommit.name);
  private queue: Pending[] = [];
  /** Groups being stored or published, oldest first. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Settles when the newest group's publish step settled (the next group publishes after it). */
  private publishTail: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly messages: MessageRepository,
    private readonly outbox: OutboxRepository,
    private readonly publisher: OutboxPublisher,
    @Inject(messagesSettings.KEY) private readonly settings: MessagesSettings,
    private readonly metrics: HeraldMetrics,
  ) {}

  /**
   * Stores a complete message and publishes its event, in a group with concurrent ones.
   * @throws DocumentWriteError when the server rejected this message (code 11000: duplicate key)
   * @throws the driver's error when the group could not be stored at all (then this message was
   *   not accepted; its outbox entry is removed when possible)
   */
  submit(doc: StoredMessage): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      this.kick();
    });
  }

  /** Waits for queued and running flushes (shutdown after the HTTP server stopped taking requests). */
  async onApplicationShutdown(): Promise<void> {
    while (this.inFlight.size > 0 || this.queue.length > 0) {
      this.kick(true);
      await Promise.all([...this.inFlight]);
    }
  }

  private get slotFree(): boolean {
    return this.inFlight.size < this.settings.INGEST_PIPELINE_DEPTH;
  }

  private kick(now = false): void {
    while (this.slotFree && this.queue.length > 0 && (now || this.queue.length >= this.settings.INGEST_BATCH_MAX)) {
      this.startFlush();
    }
    if (!this.slotFree || this.queue.length === 0 || this.scheduled) return;
    this.scheduled = true;
    const linger = this.settings.INGEST_LINGER_MS;
    const go = (): void => {
      this.scheduled = false;
      this.kick(true);
    };
    if (linger > 0) setTimeout(go, linger);
    else setImmediate(go);
  }

  /** Takes the next group off the queue: at most `INGEST_BATCH_MAX` messages and {@link GROUP_COMMIT_MAX_BYTES}. */
  private nextGroup(): Pending[] {
    let n = 0;
    let bytes = 0;
    const max = Math.min(this.settings.INGEST_BATCH_MAX, this.queue.length);
    while (n < max) {
      bytes += eventBytes(this.queue[n].doc);
      if (n > 0 && bytes > GROUP_COMMIT_MAX_BYTES) break;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private startFlush(): void {
    const batch = this.nextGroup();
    if (batch.length === 0) return;
    const previous = this.publishTail;
    let published!: () => void;
    this.publishTail = new Promise<void>((r) => (published = r));
    const flight: Promise<void> = this.flush(batch, previous)
      .catch((err: Error) => this.logger.error(`group commit failed unexpectedly: ${err.message}`))
      .finally(() => {
        // The next group may publish once this one's publish settled and every older one's did.
        void previous.then(published);
        this.inFlight.delete(flight);
        this.kick(this.queue.length >= this.settings.INGEST_BATCH_MAX);
      });
    this.inFlight.add(flight);
  }

  /**
   * One group: outbox entry, insert, then (after the previous group's publish settled) publish.
   * @param previous settles when the previous group's publish step settled
   */
  private async flush(batch: Pending[], previous: Promise<void>): Promise<void> {
    const docs = batch.map((p) => p.doc);
    this.metrics.groupCommitted(docs.length);
    const stage = this.metrics.groupCommitStage();
    let entryId;
    try {
      entryId = await this.outbox.add(docs, this.settings.OUTBOX_RELAY_MIN_AGE_MS);
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      return;
    }
    stage('outbox');
    let outcome;
    try {
      outcome = await this.messages.insertMany(docs);
    } catch (err) {
      // Not accepted: take the entry back so the relay does not deliver what the client saw fail.
      await this.outbox
        .remove(entryId)
        .catch((e: Error) =>
          this.logger.warn(`outbox entry ${entryId.toHexString()} of a failed group commit not removed: ${e.message}`),
        );
      for (const p of batch) p.reject(err as Error);
      return;
    }
    stage('insert');
    const stored: Pending[] = [];
    batch.forEach((p, i) => {
      const err = outcome.duplicates.get(i) ?? outcome.rejected.get(i);
      if (err) p.reject(err);
      else stored.push(p);
    });
    if (stored.length === 0) {
      await this.outbox.remove(entryId).catch(() => undefined);
      return;
    }
    await previous;
    stage('wait');
    const published = await this.publisher.publish({ entryId, attempts: 0, messages: stored.map((p) => p.doc) });
    stage('publish');
    for (const p of stored) p.resolve({ published });
  }
}
