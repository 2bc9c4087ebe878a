import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { MessageCreatedEvent } from '@herald/contracts';
import { Conversation } from './conversation.schema';
import { mergeSummary, sameSummary, summarizeEvents, SummaryDelta } from './conversation-summary';
import { encodeConversationKey, UserConversations } from './user-conversations.schema';

/** Most summaries read from MongoDB at the same time (one `findOne` by `_id` each). */
export const SUMMARY_READ_CONCURRENCY = 32;

/** What one {@link ConversationProjector.project} call did. */
export interface ProjectionResult {
  /** Distinct conversations the events belong to. */
  conversations: number;
  /** Conversations whose summary was written (the others already said the same). */
  written: number;
}

/**
 * The per-user list entries of merged summaries: for each participant one update by its lone `_id`
 * that raises `conversations.<id>` to the conversation's `lastMessageAt` (`$max`: commutes, so
 * members projecting other partitions may update the same user at the same time). Pure.
 */
export function userEntriesOf(summaries: readonly Conversation[]): Array<mongo.AnyBulkWriteOperation<UserConversations>> {
  const perUser = new Map<string, Record<string, Date>>();
  for (const c of summaries) {
    for (const userId of new Set(c.participants)) {
      const entries = perUser.get(userId) ?? {};
      entries[`conversations.${encodeConversationKey(c._id)}`] = c.lastMessageAt;
      perUser.set(userId, entries);
    }
  }
  return [...perUser].map(([userId, entries]) => ({ updateOne: { filter: { _id: userId }, update: { $max: entries }, upsert: true } }));
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
 * Writes conversation summaries (collection `conversations`, `_id` = conversationId) and each
 * participant's list of conversations (collection `user_conversations`, `_id` = userId, see
 * {@link UserConversations}) from `message.created` events, once per conversation and once per
 * user per call: the events are grouped by conversation
 * ({@link summarizeEvents}), each current summary is read by its lone `_id`, merged in code
 * ({@link mergeSummary}) and written back with one unordered `bulkWrite` whose filters are the lone
 * `_id`. Only `_id`-only filters because that is what FerretDB v1.24's SQLite backend pushes down to
 * SQLite (any other filter is a full scan decoded in Go); its PostgreSQL backend and MongoDB use the
 * `_id` index as well.
 *
 * Idempotent: a summary that the merge leaves unchanged is not written, and a user entry only ever
 * rises to the conversation's `lastMessageAt` (`$max`), so a redelivered batch or a replay of older
 * events changes nothing.
 *
 * Read-merge-write is safe because one writer at a time owns a conversation: events are keyed by
 * conversationId, so all events of a conversation are on one partition, and one member of the
 * consumer group holds a partition at a time (Kafka's consumer group protocol; kafkajs finishes a
 * running batch before it rejoins after a rebalance). The commuting operators of the update keep
 * even a late writer from taking participants away or moving `lastMessageAt` backwards.
 */
@Injectable()
export class ConversationProjector {
  /** The driver's collections (string `_id`s; mongoose's casting and hydration are not needed here). */
  private readonly collection: mongo.Collection<Conversation>;
  private readonly users: mongo.Collection<UserConversations>;

  constructor(
    @InjectModel(Conversation.name) conversations: Model<Conversation>,
    @InjectModel(UserConversations.name) users: Model<UserConversations>,
  ) {
    this.collection = conversations.collection as unknown as mongo.Collection<Conversation>;
    this.users = users.collection as unknown as mongo.Collection<UserConversations>;
  }

  /**
   * @param events validated `message.created` events (any order, duplicates allowed)
   * @throws the driver's error when a read or the bulk write fails (nothing is committed then;
   *   the caller retries or, for a permanent error, projects conversation by conversation)
   */
  async project(events: readonly MessageCreatedEvent[]): Promise<ProjectionResult> {
    const deltas = [...summarizeEvents(events).values()];
    const current = await this.read(deltas.map((d) => d.conversationId));
    const merged = deltas.map((delta) => this.merge(current.get(delta.conversationId) ?? null, delta));
    const ops = merged.filter((m) => m.changed).map((m) => m.op);
    // Every participant's list entry, changed or not, and BEFORE the summaries: a crash in
    // between leaves the summaries to a redelivery, which then finds them changed and writes
    // them; and a replay into summaries that already exist still fills the users' lists. `$max`
    // makes it a no-op where the entry is current.
    const entries = userEntriesOf(merged.map((m) => m.after));
    if (entries.length > 0) await this.users.bulkWrite(entries, { ordered: false });
    if (ops.length > 0) await this.collection.bulkWrite(ops, { ordered: false });
    return { conversations: deltas.length, written: ops.length };
  }

  private merge(before: Conversation | null, delta: SummaryDelta): { after: Conversation; changed: boolean; op: mongo.AnyBulkWriteOperation<Conversation> } {
    const after = mergeSummary(before, delta);
    const changed = !before || !sameSummary(before, after);
    return { after, changed, op: { updateOne: { filter: { _id: delta.conversationId }, update: updateOf(before, after), upsert: true } } };
  }

  /** The stored summaries of `ids`, each read by its lone `_id` ({@link SUMMARY_READ_CONCURRENCY} at a time). */
  private async read(ids: readonly string[]): Promise<Map<string, Conversation>> {
    const found = new Map<string, Conversation>();
    for (let i = 0; i < ids.length; i += SUMMARY_READ_CONCURRENCY) {
      const docs = await Promise.all(ids.slice(i, i + SUMMARY_READ_CONCURRENCY).map((id) => this.collection.findOne({ _id: id })));
      for (const doc of docs) if (doc) found.set(doc._id, doc);
    }
    return found;
  }
}
