import { BeforeApplicationShutdown, Controller, Logger, UseFilters } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { KafkaMessage } from 'kafkajs';
import { MessageCreatedEvent, Topics } from '@herald/contracts';
import { AppConfig } from '@herald/config';
import {
  BatchEventPattern,
  batchCoordinates,
  BatchFailure,
  deadLetterFromBatch,
  decodeBatch,
  DecodedRecord,
  KafkaBatchContext,
  KafkaErrorPassthroughFilter,
  retryWrite,
  WriteRetryPolicy,
} from '@herald/kafka';
import { isPermanentWriteError, isTransientMongoError } from '@herald/mongo';
import { HeraldMetrics } from '@herald/observability';
import { ConversationProjector, ProjectionResult } from './conversation.projector';

/**
 * The conversation projection: consumes `message.created` in consumer group
 * `KAFKA_CONVERSATIONS_GROUP` (default `conversations`) and keeps the conversation summaries that
 * `GET /conversations` lists, off the request path. The notifications app reads the same topic in
 * group `notifications`: each group gets every record (pub/sub between groups), the instances of
 * one group share the partitions (a queue inside a group).
 *
 * Per batch (a run of up to `KAFKA_CONSUMER_BATCH_SIZE` records of ONE partition, see `RawServerKafka`):
 *
 * 1. decode + validate each record (contracts lib); a poison record goes to `message.created.dlq`
 *    with its original bytes and header `dlq-consumer-group: conversations`, and the batch goes on
 *    (it never stalls the partition);
 * 2. {@link ConversationProjector.project}: events grouped by conversation, each summary read and
 *    written once, by `_id`. The record key is the conversationId, so a conversation lives on one
 *    partition and this member is its only writer while it holds that partition;
 * 3. a failed write is retried in place (backoff, heartbeating) until it succeeds; only a failure
 *    about the documents themselves ({@link isPermanentWriteError}) makes it project conversation by
 *    conversation and dead-letter the events of the one at fault (`store-failed`).
 *
 * The handler returns after the write; only then are the offsets resolved and committed (commit
 * after write). A crash before that redelivers the batch; the projection is idempotent, so the
 * summaries end the same.
 */
@Controller()
@UseFilters(new KafkaErrorPassthroughFilter())
export class ConversationProjection implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ConversationProjection.name);
  private stopping = false;

  constructor(
    private readonly projector: ConversationProjector,
    private readonly config: AppConfig,
    private readonly metrics: HeraldMetrics,
  ) {}

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  @BatchEventPattern(Topics.MessageCreated)
  async handle(@Ctx() ctx: KafkaBatchContext): Promise<void> {
    const records = ctx.getMessages();
    const valid = await decodeBatch(ctx, MessageCreatedEvent, (record, failure) =>
      this.deadLetter(ctx, record, failure),
    );
    const where = batchCoordinates(ctx);
    const result = await retryWrite(
      ctx,
      `${valid.length} event(s) ${where}`,
      () => this.projector.project(valid.map((v) => v.event)),
      () => this.projectEach(ctx, valid),
      this.retryPolicy,
    );
    this.logger.debug(
      `${where}: ${records.length} record(s), ${result.conversations} conversation(s), ${result.written} written`,
    );
    this.metrics.consumed(ctx.getTopic(), records.length);
    this.metrics.setConsumerLag(ctx.getTopic(), ctx.getPartition(), ctx.getLagAfter());
  }

  /**
   * After a document-level failure of the batch write: one conversation at a time, dead-lettering
   * the events of the one at fault.
   */
  private async projectEach(
    ctx: KafkaBatchContext,
    valid: ReadonlyArray<DecodedRecord<MessageCreatedEvent>>,
  ): Promise<ProjectionResult> {
    const byConversation = new Map<string, Array<DecodedRecord<MessageCreatedEvent>>>();
    for (const v of valid)
      byConversation.set(v.event.data.conversationId, [...(byConversation.get(v.event.data.conversationId) ?? []), v]);
    const total: ProjectionResult = { conversations: 0, written: 0 };
    for (const [conversationId, group] of byConversation) {
      const where = `conversation ${conversationId} ${ctx.getTopic()}/${ctx.getPartition()}`;
      const done = await retryWrite(
        ctx,
        where,
        () => this.projector.project(group.map((g) => g.event)),
        async (err) => {
          for (const { record } of group)
            await this.deadLetter(ctx, record, { reason: 'store-failed', error: err.message, stack: err.stack });
          return { conversations: 1, written: 0 };
        },
        this.retryPolicy,
      );
      total.conversations += done.conversations;
      total.written += done.written;
    }
    return total;
  }

  /** Retries of a failed projection write ({@link retryWrite}): permanent → DLQ path, else retried in place. */
  private readonly retryPolicy: WriteRetryPolicy = {
    isPermanent: isPermanentWriteError,
    isStopping: () => this.stopping,
    warn: (message) => this.logger.warn(message),
    explain: (err) =>
      isTransientMongoError(err)
        ? 'MongoDB unavailable'
        : 'projection write failed (unclassified error, retried, not dead-lettered)',
  };

  private async deadLetter(ctx: KafkaBatchContext, record: KafkaMessage, failure: BatchFailure): Promise<void> {
    await deadLetterFromBatch(ctx, record, failure, this.config.env.KAFKA_CONVERSATIONS_GROUP);
    this.metrics.deadLettered(ctx.getTopic(), failure.reason);
    this.logger.warn(
      `dead-lettered ${ctx.getTopic()}/${ctx.getPartition()}@${record.offset} (${failure.reason}): ${failure.error.slice(0, 300)}`,
    );
  }
}
