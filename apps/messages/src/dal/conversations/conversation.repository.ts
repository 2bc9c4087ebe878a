import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model, mongo, trusted } from 'mongoose';
import { Conversation } from './conversation.schema';

/** Most summaries read from MongoDB at the same time (one `findOne` by `_id` each). */
export const SUMMARY_READ_CONCURRENCY = 32;

/**
 * Most update statements per `bulkWrite` (one `update` command). Measured on the local stack's
 * FerretDB v1.24 (SQLite): one `update` command of 100 statements on existing documents never
 * answered and left the server unresponsive until restarted, while 96 took ~160 ms; 50 keeps a
 * wide margin. MongoDB itself takes up to `maxWriteBatchSize` (100,000) per command.
 */
export const SUMMARY_WRITE_CHUNK = 50;

/** Position of a conversation in a user's list: (lastMessageAt, _id), both descending. */
export interface ConversationPosition {
  at: Date;
  id: string;
}

/**
 * Data access of collection `conversations` (the summaries the projection keeps): the list of a
 * user's conversations, and reads and writes of summaries by lone `_id` (the only filter
 * FerretDB's SQLite backend pushes down) through the driver (string `_id`s; mongoose's casting
 * and hydration are not needed). Operator filters are wrapped in `trusted()` (`sanitizeFilter` is on).
 */
@Injectable()
export class ConversationRepository {
  private readonly collection: mongo.Collection<Conversation>;

  constructor(@InjectModel(Conversation.name) private readonly conversations: Model<Conversation>) {
    this.collection = conversations.collection as unknown as mongo.Collection<Conversation>;
  }

  /**
   * Up to `limit` conversations of `userId`, most recently active first, after `after` when given.
   * @throws the driver's error when the query fails
   */
  listForUser(userId: string, limit: number, after?: ConversationPosition): Promise<Conversation[]> {
    const filter: FilterQuery<Conversation> = { participants: userId };
    if (after)
      filter.$or = [
        { lastMessageAt: trusted({ $lt: after.at }) },
        { lastMessageAt: after.at, _id: trusted({ $lt: after.id }) },
      ];
    return this.conversations
      .find(filter)
      .sort({ lastMessageAt: -1, _id: -1 })
      .limit(limit)
      .lean<Conversation[]>()
      .exec();
  }

  /**
   * The stored summaries of `ids`, each read by its lone `_id` ({@link SUMMARY_READ_CONCURRENCY} at a time).
   * @throws the driver's error when a read fails
   */
  async findByIds(ids: readonly string[]): Promise<Map<string, Conversation>> {
    const found = new Map<string, Conversation>();
    for (let i = 0; i < ids.length; i += SUMMARY_READ_CONCURRENCY) {
      const docs = await Promise.all(
        ids.slice(i, i + SUMMARY_READ_CONCURRENCY).map((id) => this.collection.findOne({ _id: id })),
      );
      for (const doc of docs) if (doc) found.set(doc._id, doc);
    }
    return found;
  }

  /**
   * Applies summary writes with unordered `bulkWrite`s of at most {@link SUMMARY_WRITE_CHUNK} statements.
   * @throws the driver's error when a write fails (earlier chunks stay written)
   */
  async write(ops: ReadonlyArray<mongo.AnyBulkWriteOperation<Conversation>>): Promise<void> {
    for (let i = 0; i < ops.length; i += SUMMARY_WRITE_CHUNK) {
      await this.collection.bulkWrite(ops.slice(i, i + SUMMARY_WRITE_CHUNK), { ordered: false });
    }
  }
}
