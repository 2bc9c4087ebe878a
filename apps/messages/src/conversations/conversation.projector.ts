import { Injectable } from '@nestjs/common';
import { mongo } from 'mongoose';
import { MessageCreatedEvent } from '@herald/contracts';
import { ConversationRepository } from '../dal/conversations/conversation.repository';
import { Conversation } from '../dal/conversations/conversation.schema';
import { mergeSummary, sameSummary, summarizeEvents, SummaryDelta } from './conversation-summary';

/** What one {@link ConversationProjector.project} call did. */
export interface ProjectionResult {
  /** Distinct conversations the events belong to. */
  conversations: number;
  /** Conversations whose summary was written (the others already said the same). */
  written: number;
}

/**
 * The update that turns `before` (null: none yet) into `after`. Set-like fields use operators that
 * commute (`$addToSet` with `$each`, `$min`, `$max`: MongoDB manual, "Update Operators"), so even a
 * writer working from an older read can only add to them; `lastMessage` is set only when this
 * write brings a newer one.
 */
function updateOf(before: Conversation | null, after: Conversation): mongo.UpdateFilter<Conversation> {
  const update: mongo.UpdateFilter<Conversation> = {
    $addToSet: { participants: { $each: after.participants } },
    $min: { createdAt: after.createdAt },
    $max: { lastMessageAt: after.lastMessageAt },
  };
  if (!before || before.lastMessage?.id !== after.lastMessage?.id) update.$set = { lastMessage: after.lastMessage };
  return update;
}

/**
 * Writes conversation summaries (collection `conversations`, `_id` = conversationId) from
 * `message.created` events, once per conversation per call: the events are grouped by conversation
 * ({@link summarizeEvents}), each current summary is read by its lone `_id`, merged in code
 * ({@link mergeSummary}) and written back with unordered `bulkWrite`s (chunked by
 * {@link ConversationRepository.write}) whose filters are the lone `_id`. Only `_id`-only filters
 * because that is what FerretDB v1.24's SQLite backend pushes down to
 * SQLite (any other filter is a full scan decoded in Go); its PostgreSQL backend and MongoDB use the
 * `_id` index as well.
 *
 * Idempotent: a summary that the merge leaves unchanged is not written, so a redelivered batch or a
 * replay of older events writes nothing and changes nothing.
 *
 * Read-merge-write is safe because one writer at a time owns a conversation: events are keyed by
 * conversationId, so all events of a conversation are on one partition, and one member of the
 * consumer group holds a partition at a time (Kafka's consumer group protocol; kafkajs finishes a
 * running batch before it rejoins after a rebalance). The commuting operators of the update keep
 * even a late writer from taking participants away or moving `lastMessageAt` backwards.
 */
@Injectable()
export class ConversationProjector {
  constructor(private readonly conversations: ConversationRepository) {}

  /**
   * @param events validated `message.created` events (any order, duplicates allowed)
   * @throws the driver's error when a read or the bulk write fails (nothing is committed then;
   *   the caller retries or, for a permanent error, projects conversation by conversation)
   */
  async project(events: readonly MessageCreatedEvent[]): Promise<ProjectionResult> {
    const deltas = [...summarizeEvents(events).values()];
    const current = await this.conversations.findByIds(deltas.map((d) => d.conversationId));
    const ops: Array<mongo.AnyBulkWriteOperation<Conversation>> = [];
    for (const delta of deltas) ops.push(...this.writeFor(current.get(delta.conversationId) ?? null, delta));
    await this.conversations.write(ops);
    return { conversations: deltas.length, written: ops.length };
  }

  private writeFor(before: Conversation | null, delta: SummaryDelta): Array<mongo.AnyBulkWriteOperation<Conversation>> {
    const after = mergeSummary(before, delta);
    if (before && sameSummary(before, after)) return [];
    return [{ updateOne: { filter: { _id: delta.conversationId }, update: updateOf(before, after), upsert: true } }];
  }
}
