import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@herald/config';
import { OutboxPublisher } from '../outbox/outbox.publisher';
import { OutboxStore } from '../outbox/outbox.store';
import { StoredMessage } from './message.schema';
import { MessageStore } from './message.store';

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
 * fill a batch. One flush of up to `INGEST_BATCH_MAX` messages does:
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
 * to the relay after `PUBLISH_TIMEOUT_MS`. Flushes run one at a time, in arrival order: a message
 * submitted after another one's request resolved is published after it (per-conversation order).
 * An idle writer flushes at the end of the current event-loop turn (or after `INGEST_LINGER_MS`);
 * while a flush runs, arrivals queue for the next one, so batches grow with load and cost nothing
 * at low load.
 */
@Injectable()
export class MessageGroupCommit implements OnApplicationShutdown {
  private readonly logger = new Logger(MessageGroupCommit.name);
  private queue: Pending[] = [];
  private flushing?: Promise<void>;
  private scheduled = false;

  constructor(
    private readonly messages: MessageStore,
    private readonly outbox: OutboxStore,
    private readonly publisher: OutboxPublisher,
    private readonly config: AppConfig,
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
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) this.kick(true);
      await this.flushing;
    }
  }

  private kick(now = false): void {
    if (this.flushing || this.queue.length === 0) return;
    if (now || this.queue.length >= this.config.env.INGEST_BATCH_MAX) {
      this.startFlush();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const linger = this.config.env.INGEST_LINGER_MS;
    const go = (): void => {
      this.scheduled = false;
      if (!this.flushing) this.startFlush();
    };
    if (linger > 0) setTimeout(go, linger);
    else setImmediate(go);
  }

  private startFlush(): void {
    const batch = this.queue.splice(0, this.config.env.INGEST_BATCH_MAX);
    if (batch.length === 0) return;
    this.flushing = this.flush(batch)
      .catch((err: Error) => this.logger.error(`group commit failed unexpectedly: ${err.message}`))
      .finally(() => {
        this.flushing = undefined;
        this.kick(this.queue.length >= this.config.env.INGEST_BATCH_MAX);
      });
  }

  private async flush(batch: Pending[]): Promise<void> {
    const docs = batch.map((p) => p.doc);
    let entryId;
    try {
      entryId = await this.outbox.add(docs, this.config.env.OUTBOX_RELAY_MIN_AGE_MS);
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      return;
    }
    let outcome;
    try {
      outcome = await this.messages.insertMany(docs);
    } catch (err) {
      // Not accepted: take the entry back so the relay does not deliver what the client saw fail.
      await this.outbox.remove(entryId).catch((e: Error) => this.logger.warn(`outbox entry ${entryId.toHexString()} of a failed group commit not removed: ${e.message}`));
      for (const p of batch) p.reject(err as Error);
      return;
    }
    const stored: Pending[] = [];
    batch.forEach((p, i) => {
      const err = outcome.duplicates.get(i) ?? outcome.rejected.get(i);
      if (err) p.reject(err);
      else stored.push(p);
    });
    if (this.config.env.FAULT_CRASH_AFTER_STORE) {
      // Test-only fault hook (refused in production): die between the insert and the publish.
      process.kill(process.pid, 'SIGKILL');
    }
    const published = stored.length > 0 && (await this.publisher.publish({ entryId, attempts: 0, messages: stored.map((p) => p.doc) }));
    if (stored.length === 0) await this.outbox.remove(entryId).catch(() => undefined);
    for (const p of stored) p.resolve({ published });
  }
}
