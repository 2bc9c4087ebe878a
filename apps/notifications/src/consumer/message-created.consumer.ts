import { BeforeApplicationShutdown, Controller, Logger, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { decodeEvent, MessageCreatedEvent, Topics } from '@herald/contracts';
import { AppConfig } from '@herald/config';
import { KafkaErrorPassthroughFilter, publishDeadLetter } from '@herald/kafka';
import { isPermanentWriteError, isTransientMongoError } from '@herald/mongo';
import { NotificationPushPublisher } from '../push/notification-push.publisher';
import { NotificationWriter } from './notification.writer';
import { retryDelayMs, sleep } from './retry';

/**
 * Consumes `message.created` in consumer group `KAFKA_CONSUMER_GROUP` (default `notifications`)
 * and stores one notification per recipient. Per record:
 *
 * 1. decode + validate (contracts lib); a poison record (empty, oversized, not JSON, wrong schema,
 *    unknown version) goes to `message.created.dlq` and the handler returns, so the offset is
 *    committed and the partition moves on;
 * 2. store idempotently; a failure is retried in place with capped exponential backoff
 *    (heartbeating, so the group keeps the partition) until the write succeeds — a MongoDB outage,
 *    a timeout, a command mongoose buffered while disconnected, but also an unclassified error: a
 *    record is moved aside only when the failure is about its documents ({@link isPermanentWriteError},
 *    e.g. a document the server rejects), never because the database is unavailable;
 * 3. publish `notification.created` for the notifications this delivery inserted (real-time push).
 *
 * The handler returns only after 1–3 are done; kafkajs commits the offset after that. When it
 * throws (shutting down mid-retry, a rebalance noticed while heartbeating, a failed DLQ write), the
 * error reaches kafkajs unchanged ({@link KafkaErrorPassthroughFilter}): the offset is not committed
 * and the record is delivered again, here or to the partition's next owner.
 */
@Controller()
@UseFilters(new KafkaErrorPassthroughFilter())
export class MessageCreatedConsumer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(MessageCreatedConsumer.name);
  private stopping = false;
  /** Counters for logs and metrics. */
  readonly stats = { stored: 0, duplicates: 0, deadLettered: 0, transientRetries: 0 };

  constructor(
    private readonly writer: NotificationWriter,
    private readonly push: NotificationPushPublisher,
    private readonly config: AppConfig,
  ) {}

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  @EventPattern(Topics.MessageCreated)
  async handle(@Ctx() ctx: KafkaContext): Promise<void> {
    const message = ctx.getMessage();
    const where = `${ctx.getTopic()}/${ctx.getPartition()}@${message.offset}`;
    const decoded = decodeEvent(MessageCreatedEvent, message.value as Buffer | null);
    if (!decoded.ok) {
      await this.deadLetter(ctx, decoded.reason, decoded.message);
      return;
    }
    const event = decoded.event;
    for (let attempt = 1; ; attempt++) {
      try {
        const inserted = await this.writer.store(event);
        const expected = new Set(event.data.recipientIds.filter((r) => r !== event.data.senderId)).size;
        this.stats.stored += inserted.length;
        this.stats.duplicates += expected - inserted.length;
        this.logger.debug(`event ${event.eventId} ${where}: stored ${inserted.length}/${expected}`);
        await this.push.publish(ctx.getProducer(), inserted);
        return;
      } catch (err) {
        if (isPermanentWriteError(err)) {
          await this.deadLetter(ctx, 'store-failed', (err as Error).message, (err as Error).stack);
          return;
        }
        if (this.stopping) throw new Error(`shutting down with event ${event.eventId} ${where} unstored (not committed)`);
        this.stats.transientRetries++;
        const delay = retryDelayMs(attempt);
        const what = isTransientMongoError(err) ? 'MongoDB unavailable' : 'store failed (unclassified error, retried, not dead-lettered)';
        this.logger.warn(`event ${event.eventId} ${where}: ${what} (${(err as Error).name}: ${(err as Error).message}); retry ${attempt} in ${delay} ms`);
        await sleep(delay);
        await ctx.getHeartbeat()();
      }
    }
  }

  private async deadLetter(ctx: KafkaContext, reason: string, error: string, stack?: string): Promise<void> {
    const message = ctx.getMessage();
    await publishDeadLetter(ctx.getProducer(), {
      topic: ctx.getTopic(),
      partition: ctx.getPartition(),
      message,
      reason,
      error,
      stack,
      groupId: this.config.env.KAFKA_CONSUMER_GROUP,
    });
    this.stats.deadLettered++;
    this.logger.warn(`dead-lettered ${ctx.getTopic()}/${ctx.getPartition()}@${message.offset} (${reason}): ${error.slice(0, 300)}`);
  }
}
