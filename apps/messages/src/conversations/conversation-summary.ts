import { Limits, MessageCreatedEvent } from '@herald/contracts';
import { Conversation, LastMessage } from '../dal/conversations/conversation.schema';

/** What a run of `message.created` events of ONE conversation says about it. Pure data. */
export interface SummaryDelta {
  conversationId: string;
  /** Senders and recipients of the events, distinct, sorted. */
  participants: string[];
  /** Earliest message `createdAt` of the events. */
  firstAt: Date;
  /** The newest message of the events (greatest `createdAt`, then greatest message id). */
  last: LastMessage;
}

/** First {@link Limits.previewLength} characters (code points) of a body. */
export function previewOf(body: string): string {
  return [...body].slice(0, Limits.previewLength).join('');
}

/**
 * Order of "newest message": `createdAt`, then the message id (24-hex ObjectId strings compare
 * like the ObjectIds: timestamp first), so two messages of the same millisecond still have a
 * stable winner whatever order they are seen in. Negative when `a` is older.
 */
export function compareMessages(
  a: Pick<LastMessage, 'createdAt' | 'id'>,
  b: Pick<LastMessage, 'createdAt' | 'id'>,
): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Groups events by conversation and folds each group into one {@link SummaryDelta}: participants
 * union, earliest `createdAt`, newest message. The result does not depend on the order of the
 * events nor on duplicates among them (a redelivered or replayed event changes nothing), so it
 * holds for a batch redelivered after a crash. Pure.
 */
export function summarizeEvents(events: readonly MessageCreatedEvent[]): Map<string, SummaryDelta> {
  const deltas = new Map<string, SummaryDelta>();
  for (const { data } of events) {
    const last: LastMessage = {
      id: data.messageId,
      senderId: data.senderId,
      preview: previewOf(data.body),
      createdAt: data.createdAt,
    };
    const people = [data.senderId, ...data.recipientIds];
    const delta = deltas.get(data.conversationId);
    if (!delta) {
      deltas.set(data.conversationId, {
        conversationId: data.conversationId,
        participants: [...new Set(people)].sort(),
        firstAt: data.createdAt,
        last,
      });
      continue;
    }
    delta.participants = [...new Set([...delta.participants, ...people])].sort();
    if (data.createdAt < delta.firstAt) delta.firstAt = data.createdAt;
    if (compareMessages(last, delta.last) > 0) delta.last = last;
  }
  return deltas;
}

/**
 * The summary after `delta` is folded into `current` (the stored summary, or null for a new
 * conversation): participants union, `createdAt` the earliest, `lastMessageAt` the latest,
 * `lastMessage` the newest by {@link compareMessages}. Commutative, associative and idempotent
 * (merging an event twice, or older events after newer ones, gives the same summary). Pure.
 */
export function mergeSummary(current: Conversation | null, delta: SummaryDelta): Conversation {
  if (!current) {
    return {
      _id: delta.conversationId,
      participants: delta.participants,
      createdAt: delta.firstAt,
      lastMessageAt: delta.last.createdAt,
      lastMessage: delta.last,
    };
  }
  const newer = !current.lastMessage || compareMessages(delta.last, current.lastMessage) > 0;
  return {
    _id: current._id,
    participants: [...new Set([...current.participants, ...delta.participants])].sort(),
    createdAt: delta.firstAt < current.createdAt ? delta.firstAt : current.createdAt,
    lastMessageAt: delta.last.createdAt > current.lastMessageAt ? delta.last.createdAt : current.lastMessageAt,
    lastMessage: newer ? delta.last : current.lastMessage,
  };
}

/** Whether two summaries say the same (participants as sets): a write would change nothing. Pure. */
export function sameSummary(a: Conversation, b: Conversation): boolean {
  const people = (c: Conversation) => [...new Set(c.participants)].sort().join('\u0000');
  const lm = (m: LastMessage | null) => (m ? `${m.id}|${m.senderId}|${m.preview}|${m.createdAt.getTime()}` : '');
  return (
    a._id === b._id &&
    people(a) === people(b) &&
    a.createdAt.getTime() === b.createdAt.getTime() &&
    a.lastMessageAt.getTime() === b.lastMessageAt.getTime() &&
    lm(a.lastMessage) === lm(b.lastMessage)
  );
}
