import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model, trusted, Types } from 'mongoose';
import { isDuplicateKeyError, writeErrorsByIndex } from '@herald/mongo';
import { Message, StoredMessage } from './message.schema';

/** Outcome of {@link MessageRepository.insertMany}, by index into the given messages. */
export interface InsertOutcome {
  /** Messages already stored under the same `_id` or `eventId` (duplicate key, code 11000). */
  duplicates: Map<number, Error>;
  /** Messages the server rejected for another reason. */
  rejected: Map<number, Error>;
}

/** Error of one document of a bulk write; `code` 11000 is a duplicate key. */
export class DocumentWriteError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'DocumentWriteError';
  }
}

/**
 * Data access of collection `messages`: written once per message (no updates), read by `_id` and
 * by conversation. Writes use the driver with complete documents (mongoose's casting, defaults and
 * hydration are skipped: the write path builds every field itself). Operator filters are wrapped in
 * `trusted()` (they are ours; `sanitizeFilter` is on).
 */
@Injectable()
export class MessageRepository {
  constructor(@InjectModel(Message.name) private readonly messages: Model<Message>) {}

  /**
   * Stores messages with one unordered `insertMany`: every document the server accepts is stored
   * even when others are rejected (MongoDB manual, `db.collection.insertMany()`, "Unordered Inserts").
   * @returns the documents that were not inserted, by index, with their error
   * @throws the driver's error when the write failed as a whole (no per-document errors: e.g. the
   *   server is unreachable); then any of the documents may or may not be stored
   */
  async insertMany(docs: StoredMessage[]): Promise<InsertOutcome> {
    const out: InsertOutcome = { duplicates: new Map(), rejected: new Map() };
    if (docs.length === 0) return out;
    try {
      await this.messages.collection.insertMany(docs, { ordered: false });
    } catch (err) {
      const perDoc = writeErrorsByIndex(err);
      if (perDoc.size === 0) throw err;
      for (const [i, w] of perDoc) {
        const e = new DocumentWriteError(w.message, w.code);
        (isDuplicateKeyError(e) ? out.duplicates : out.rejected).set(i, e);
      }
    }
    return out;
  }

  /** The message with this `_id` (a lone `_id` lookup: pushed down by every server), or null. */
  findById(id: Types.ObjectId): Promise<StoredMessage | null> {
    return this.messages.collection.findOne<StoredMessage>({ _id: id });
  }

  /**
   * Whether the conversation has any message (with `participant`: any message `participant` took
   * part in).
   * @throws the driver's error when the query fails
   */
  async existsInConversation(conversationId: string, participant?: string): Promise<boolean> {
    const filter: FilterQuery<Message> =
      participant === undefined ? { conversationId } : { conversationId, participants: participant };
    return (await this.messages.exists(filter).exec()) !== null;
  }

  /**
   * Up to `limit` messages of a conversation `participant` took part in, newest first, strictly
   * older than `beforeId` when given.
   * @throws the driver's error when the query fails
   */
  historyPage(
    conversationId: string,
    participant: string,
    limit: number,
    beforeId?: Types.ObjectId,
  ): Promise<StoredMessage[]> {
    const filter: FilterQuery<Message> = { conversationId, participants: participant };
    if (beforeId) filter._id = trusted({ $lt: beforeId });
    return this.messages.find(filter).sort({ _id: -1 }).limit(limit).lean<StoredMessage[]>().exec();
  }
}
