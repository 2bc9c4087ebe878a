import { Controller, Inject, UseFilters } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { MessageCreatedEvent, Topics } from '@herald/contracts';
import {
  BatchEventPattern,
  batchCoordinates,
  BatchConsumer,
  KafkaBatchContext,
  KafkaErrorPassthroughFilter,
} from '@herald/kafka';
import { MONGO_WRITE_ERRORS } from '@herald/mongo';
import { HeraldMetrics } from '@herald/observability';
import { ConversationProjector, ProjectionResult } from './conversation.projector';
import { messagesSettings, MessagesSettings } from '../messages.settings';

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
export class ConversationProjection extends BatchConsumer {
  constructor(
    private readonly projector: ConversationProjector,
    @Inject(messagesSettings.KEY) settings: MessagesSettings,
    private readonly metrics: HeraldMetrics,
  ) {
    super(ConversationProjection.name, {
      groupId: settings.KAFKA_CONVERSATIONS_GROUP,
      what: 'projection write',
      rules: MONGO_WRITE_ERRORS,
      countDeadLetter: (topic, reason) => metrics.deadLettered(topic, reason),
    });
  }

  @BatchEventPattern(Topics.MessageCreated)
  async handle(@Ctx() ctx: KafkaBatchContext): Promise<void> {
    const records = ctx.getMessages();
    const valid = await this.batch.decode(ctx, MessageCreatedEvent);
    // After a document-level failure, one conversation at a time: the events of the one at fault
    // are dead-lettered.
    const result = await this.batch.write<MessageCreatedEvent, ProjectionResult>(ctx, valid, {
      write: (group) => this.projector.project(group.map((v) => v.event)),
      groupOf: ({ event }) => `conversation ${event.data.conversationId} ${ctx.getTopic()}/${ctx.getPartition()}`,
      empty: () => ({ conversations: 1, written: 0 }),
      merge: (results) => ({
        conversations: results.reduce((n, r) => n + r.conversations, 0),
        written: results.reduce((n, r) => n + r.written, 0),
      }),
    });
    this.logger.debug(
      `${batchCoordinates(ctx)}: ${records.length} record(s), ${result.conversations} conversation(s), ${result.written} written`,
    );
    this.metrics.consumed(ctx.getTopic(), records.length);
    this.metrics.setConsumerLag(ctx.getTopic(), ctx.getPartition(), ctx.getLagAfter());
  }
}
