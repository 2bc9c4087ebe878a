/**
 * Hand-written in-memory stand-ins for the messages app's repositories, for unit specs that build
 * the real services with `Test.createTestingModule` (no MongoDB, no Kafka). Each fake implements
 * the methods of its repository that the services call (`Pick<…>`, so a changed signature breaks
 * the build) and keeps what a test inspects in plain public fields.
 */
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { SettingsNamespace } from '@herald/config';
import { Conversation } from '../../apps/messages/src/dal/conversations/conversation.schema';
import {
  ConversationPosition,
  ConversationRepository,
} from '../../apps/messages/src/dal/conversations/conversation.repository';
import { IdempotencyKeyRepository } from '../../apps/messages/src/dal/idempotency-keys/idempotency-key.repository';
import { IdempotencyKey } from '../../apps/messages/src/dal/idempotency-keys/idempotency-key.schema';
import { StoredMessage } from '../../apps/messages/src/dal/messages/message.schema';
import {
  DocumentWriteError,
  InsertOutcome,
  MessageRepository,
} from '../../apps/messages/src/dal/messages/message.repository';
import { StoredOutboxEntry } from '../../apps/messages/src/dal/outbox/outbox-entry.schema';
import { backoffMs, OutboxRepository } from '../../apps/messages/src/dal/outbox/outbox.repository';

/** An error shaped like the driver's duplicate-key error (code 11000), as `isDuplicateKeyError` sees it. */
export function duplicateKeyError(what = 'E11000 duplicate key error'): Error & { code: number } {
  return Object.assign(new Error(what), { code: 11000 });
}

/**
 * An app's settings as `loadConfig` gives them with no variable set (the class's defaults), with
 * `values` instead where a spec needs others.
 */
export function settingsOf<T extends object>(ns: SettingsNamespace<T>, values: Partial<T> = {}): T {
  return Object.assign(new ns.schema(), values);
}

/** A provider of `ns`'s settings ({@link settingsOf}) for `Test.createTestingModule`. */
export function settingsProvider<T extends object>(ns: SettingsNamespace<T>, values: Partial<T> = {}) {
  return { provide: ns.KEY, useValue: settingsOf(ns, values) };
}

/** A complete stored message; `over` replaces any field. */
export function storedMessage(over: Partial<StoredMessage> = {}): StoredMessage {
  const senderId = over.senderId ?? 'alice';
  const recipientIds = over.recipientIds ?? ['bob'];
  return {
    _id: new Types.ObjectId(),
    conversationId: 'team-lunch',
    senderId,
    recipientIds,
    participants: [...new Set([senderId, ...recipientIds])].sort(),
    body: 'Lunch at noon?',
    createdAt: new Date('2026-01-05T12:00:00Z'),
    eventId: randomUUID(),
    ...over,
  };
}

const copyMessage = (m: StoredMessage): StoredMessage => ({
  ...m,
  recipientIds: [...m.recipientIds],
  participants: [...m.participants],
});

/** Collection `messages` in memory: unique `_id` and `eventId`, like the real indexes. */
export class FakeMessageRepository implements Pick<
  MessageRepository,
  'insertMany' | 'findById' | 'existsInConversation' | 'historyPage'
> {
  /** Stored messages by `_id` hex. */
  readonly stored = new Map<string, StoredMessage>();
  /** Message ids (hex) the "server" refuses for a reason other than a duplicate (e.g. validation). */
  readonly refuse = new Set<string>();
  findByIdCalls = 0;
  historyPageCalls = 0;

  seed(...docs: StoredMessage[]): void {
    for (const d of docs) this.stored.set(d._id.toHexString(), copyMessage(d));
  }

  async insertMany(docs: StoredMessage[]): Promise<InsertOutcome> {
    const out: InsertOutcome = { duplicates: new Map(), rejected: new Map() };
    docs.forEach((d, i) => {
      const id = d._id.toHexString();
      if (this.refuse.has(id)) {
        out.rejected.set(i, new DocumentWriteError(`Document failed validation: ${id}`, 121));
      } else if (this.stored.has(id) || [...this.stored.values()].some((m) => m.eventId === d.eventId)) {
        out.duplicates.set(i, new DocumentWriteError(`E11000 duplicate key error: ${id}`, 11000));
      } else {
        this.stored.set(id, copyMessage(d));
      }
    });
    return out;
  }

  async findById(id: Types.ObjectId): Promise<StoredMessage | null> {
    this.findByIdCalls++;
    const doc = this.stored.get(id.toHexString());
    return doc ? copyMessage(doc) : null;
  }

  async existsInConversation(conversationId: string, participant?: string): Promise<boolean> {
    return [...this.stored.values()].some(
      (m) => m.conversationId === conversationId && (participant === undefined || m.participants.includes(participant)),
    );
  }

  async historyPage(
    conversationId: string,
    participant: string,
    limit: number,
    beforeId?: Types.ObjectId,
  ): Promise<StoredMessage[]> {
    this.historyPageCalls++;
    const before = beforeId?.toHexString();
    return [...this.stored.values()]
      .filter((m) => m.conversationId === conversationId && m.participants.includes(participant))
      .filter((m) => before === undefined || m._id.toHexString() < before)
      .sort((a, b) => (a._id.toHexString() < b._id.toHexString() ? 1 : -1))
      .slice(0, limit)
      .map(copyMessage);
  }
}

/** A failure the relay or the publisher recorded through {@link OutboxRepository.recordFailure}. */
export interface RecordedFailure {
  id: string;
  attempts: number;
  error: string;
}

/** Collection `outbox` in memory. `due` and `claim` follow the repository's documented contract. */
export class FakeOutboxRepository implements Pick<
  OutboxRepository,
  'add' | 'remove' | 'removeMany' | 'recordFailure' | 'due' | 'claim' | 'isPending' | 'pendingAmong'
> {
  /** Entries by `_id` hex. */
  readonly entries = new Map<string, StoredOutboxEntry>();
  readonly failures: RecordedFailure[] = [];
  /** Entry ids (hex) whose claim fails: another relay instance holds their lease. */
  readonly claimedElsewhere = new Set<string>();

  /** Puts an entry holding `messages`, due at `nextAttemptAt` (default: long ago). */
  put(messages: StoredMessage[], over: Partial<StoredOutboxEntry> = {}): StoredOutboxEntry {
    const entry: StoredOutboxEntry = {
      _id: new Types.ObjectId(),
      messageIds: messages.map((m) => m._id),
      messages,
      createdAt: new Date(0),
      nextAttemptAt: new Date(0),
      attempts: 0,
      lastError: null,
      ...over,
    };
    this.entries.set(entry._id.toHexString(), entry);
    return entry;
  }

  async add(messages: StoredMessage[], minAgeMs: number): Promise<Types.ObjectId> {
    const now = Date.now();
    return this.put(messages, { createdAt: new Date(now), nextAttemptAt: new Date(now + minAgeMs) })._id;
  }

  async remove(id: Types.ObjectId): Promise<void> {
    this.entries.delete(id.toHexString());
  }

  async removeMany(ids: Types.ObjectId[]): Promise<void> {
    for (const id of ids) this.entries.delete(id.toHexString());
  }

  /**
   * Records the call, then applies it as the real repository does (attempts + 1, next attempt after
   * {@link backoffMs}).
   */
  recordFailure(id: Types.ObjectId, attempts: number, error: string): Promise<void> {
    this.failures.push({ id: id.toHexString(), attempts, error });
    const entry = this.entries.get(id.toHexString());
    if (entry)
      Object.assign(entry, {
        attempts: entry.attempts + 1,
        lastError: error,
        nextAttemptAt: new Date(Date.now() + backoffMs(attempts + 1)),
      });
    return Promise.resolve();
  }

  /** Copies (a driver read returns fresh documents) of the oldest entries up to the first one not yet due. */
  async due(now: Date, limit: number): Promise<StoredOutboxEntry[]> {
    const oldest = [...this.entries.values()]
      .sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id.toHexString() < b._id.toHexString() ? -1 : 1),
      )
      .slice(0, limit);
    const blocked = oldest.findIndex((e) => e.nextAttemptAt.getTime() > now.getTime());
    return (blocked < 0 ? oldest : oldest.slice(0, blocked)).map((e) => ({
      ...e,
      messages: [...e.messages],
      messageIds: [...e.messageIds],
    }));
  }

  async claim(entry: StoredOutboxEntry, now: Date, leaseMs: number): Promise<boolean> {
    const id = entry._id.toHexString();
    const stored = this.entries.get(id);
    if (!stored || this.claimedElsewhere.has(id) || stored.nextAttemptAt.getTime() !== entry.nextAttemptAt.getTime())
      return false;
    stored.nextAttemptAt = entry.nextAttemptAt = new Date(now.getTime() + leaseMs);
    return true;
  }

  async isPending(messageId: Types.ObjectId): Promise<boolean> {
    return [...this.entries.values()].some((e) => e.messageIds.some((id) => id.equals(messageId)));
  }

  async pendingAmong(messageIds: Types.ObjectId[]): Promise<Set<string>> {
    const wanted = new Set(messageIds.map((id) => id.toHexString()));
    return new Set(
      [...this.entries.values()]
        .flatMap((e) => e.messageIds.map((id) => id.toHexString()))
        .filter((id) => wanted.has(id)),
    );
  }
}

/** Collection `idempotency_keys` in memory: `$setOnInsert` upserts by `_id`, so a record never changes once written. */
export class FakeIdempotencyKeyRepository implements Pick<IdempotencyKeyRepository, 'reserve'> {
  readonly records = new Map<string, IdempotencyKey>();
  /** Every `reserve` call's record id, in order. */
  readonly calls: string[] = [];
  /**
   * Errors the next `reserve` calls throw, in order, each after `before` ran (e.g. a concurrent
   * first request's record appearing: the upsert race a duplicate key stands for).
   */
  readonly failNext: Array<{ error: Error; before?: () => void }> = [];

  async reserve(id: string, fresh: Omit<IdempotencyKey, '_id'>): Promise<IdempotencyKey | null> {
    this.calls.push(id);
    const failure = this.failNext.shift();
    if (failure) {
      failure.before?.();
      throw failure.error;
    }
    if (!this.records.has(id)) this.records.set(id, { _id: id, ...fresh });
    return { ...this.records.get(id)! };
  }
}

/** Collection `conversations` in memory: the list order and cursor of {@link ConversationRepository.listForUser}. */
export class FakeConversationRepository implements Pick<ConversationRepository, 'listForUser'> {
  readonly summaries: Conversation[] = [];
  listCalls = 0;

  async listForUser(userId: string, limit: number, after?: ConversationPosition): Promise<Conversation[]> {
    this.listCalls++;
    const newestFirst = (a: Conversation, b: Conversation) =>
      b.lastMessageAt.getTime() - a.lastMessageAt.getTime() || (a._id < b._id ? 1 : -1);
    const isAfter = (c: Conversation) =>
      !after ||
      c.lastMessageAt.getTime() < after.at.getTime() ||
      (c.lastMessageAt.getTime() === after.at.getTime() && c._id < after.id);
    return this.summaries
      .filter((c) => c.participants.includes(userId) && isAfter(c))
      .sort(newestFirst)
      .slice(0, limit);
  }
}
