import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { MessageCreatedEvent, Topics } from '@herald/contracts';
import {
  BatchEventPattern,
  batchCoordinates,
  BatchConsumer,
  DecodedRecord,
  KafkaBatchContext,
  KafkaErrorPassthroughFilter,
} from '@herald/kafka';
import { MONGO_WRITE_ERRORS } from '@herald/mongo';
import { HeraldMetrics } from '@herald/observability';
import { NotificationPushPublisher } from '../push/notification-push.publisher';
import { BatchSource, NotificationWriter, StoreResult } from './notification.writer';
import { notificationsSettings, NotificationsSettings } from '../notifications.settings';

/**
 * Consumes `message.created` in consumer group `KAFKA_CONSUMER_GROUP` (default `notifications`)
 * and stores one notification per recipient, a batch of records of one partition at a time
 * (`KAFKA_CONSUMER_BATCH_SIZE`, see `RawServerKafka`):
 *
 * 1. decode + validate each record (contracts lib); a poison record (empty, oversized, not JSON,
 *    wrong schema, unknown version) goes to `message.created.dlq` with its original bytes;
 * 2. store the batch's notifications ({@link NotificationWriter}: the recipients' preferences read
 *    with one query, new notifications with one idempotent unordered insert, digest folds with
 *    guarded updates); a failure is retried in
 *    place with capped exponential backoff (heartbeating, so the group keeps the partition) until
 *    the write succeeds — a MongoDB outage, a timeout, a command mongoose buffered while
 *    disconnected, but also an unclassified error. Only a failure about the documents themselves
 *    ({@link isPermanentWriteError}, e.g. a document the server rejects) makes it store the
 *    batch's events one by one, so that only the event at fault goes to the DLQ (`store-failed`);
 *    never because the database is unavailable;
 * 3. start the `notification.created` push for the notifications this delivery inserted as soon
 *    as they are inserted (before the batch's digest folds, the longest step of 2), and
 *    `notification.updated` for those a message was folded into after the folds (real-time push,
 *    best effort: one producer request each; the pushes of one recipient keep their order, see
 *    {@link NotificationPushPublisher}); the handler does not wait for their acknowledgement (at
 *    most a few sends outstanding).
 *
 * The handler returns only after 1–2 are done and 3 is started; the transport then resolves the batch's offsets and
 * kafkajs commits them. When it throws (shutting down mid-retry, a rebalance noticed while
 * heartbeating, a failed DLQ write), the error reaches kafkajs unchanged
 * ({@link KafkaErrorPassthroughFilter}): the offsets are not committed and the records are
 * delivered again, here or to the partition's next owner; the unique index makes that harmless.
 */
@Controller()
@UseFilters(new KafkaErrorPassthroughFilter())
export class MessageCreatedConsumer extends BatchConsumer {
  constructor(
    private readonly writer: NotificationWriter,
    private readonly push: NotificationPushPublisher,
    @Inject(notificationsSettings.KEY) settings: NotificationsSettings,
    private readonly metrics: HeraldMetrics,
  ) {
    super(MessageCreatedConsumer.name, {
      groupId: settings.KAFKA_CONSUMER_GROUP,
      what: 'store',
      rules: MONGO_WRITE_ERRORS,
      countDeadLetter: (topic, reason) => metrics.deadLettered(topic, reason),
    });
  }

  @BatchEventPattern(Topics.MessageCreated)
  async handle(@Ctx() ctx: KafkaBatchContext): Promise<void> {
    const records = ctx.getMessages();
    const valid = await this.batch.decode(ctx, MessageCreatedEvent);
    // After a document-level failure, each event alone: only the one at fault is dead-lettered.
    const { inserted, updated } = await this.batch.write<MessageCreatedEvent, StoreResult>(ctx, valid, {
      write: (group) =>
        this.writer.store(
          group.map((v) => v.event),
          this.source(ctx, group),
          // the `notification.created` push of what was just inserted starts before the batch's folds
          (inserted) => this.push.publish(inserted),
        ),
      groupOf: ({ record, event }) => `event ${event.eventId} ${ctx.getTopic()}/${ctx.getPartition()}@${record.offset}`,
      empty: () => ({ inserted: [], updated: [] }),
      merge: (results) => ({
        inserted: results.flatMap((r) => r.inserted),
        updated: results.flatMap((r) => r.updated),
      }),
    });
    this.metrics.stored(inserted.length);
    this.logger.debug(
      `${batchCoordinates(ctx)}: ${records.length} record(s), ${inserted.length} notification(s) inserted, ${updated.length} updated (digest)`,
    );
    await this.push.publish([], updated);
    this.metrics.consumed(ctx.getTopic(), records.length);
    this.metrics.setConsumerLag(ctx.getTopic(), ctx.getPartition(), ctx.getLagAfter());
  }

  /** The partition and offsets of `valid` (undefined when empty), for the writer (fold markers are bucketed by partition). */
  private source(
    ctx: KafkaBatchContext,
    valid: ReadonlyArray<DecodedRecord<MessageCreatedEvent>>,
  ): BatchSource | undefined {
    if (valid.length === 0) return undefined;
    return {
      partition: `${ctx.getTopic()}/${ctx.getPartition()}`,
      firstOffset: Number(valid[0].record.offset),
      lastOffset: Number(valid[valid.length - 1].record.offset),
    };
  }
}
