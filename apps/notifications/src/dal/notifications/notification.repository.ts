import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model, Types } from 'mongoose';
import { Notification } from './notification.schema';

/** A stored notification as read with `lean()`. */
export type NotificationDoc = Notification & { _id: Types.ObjectId };

/**
 * The inbox's reads and changes of collection `notifications`. The filters are the inbox's own
 * (`inboxFilter` and the hour filters in inbox.service.ts, every one scoped to one recipient); this
 * class only runs them. The consumer's inserts and digest folds are written by `NotificationWriter`.
 */
@Injectable()
export class NotificationRepository {
  constructor(@InjectModel(Notification.name) private readonly notifications: Model<Notification>) {}

  /** Up to `n` notifications matching `filter`, newest first (`_id` descending). */
  newestFirst(filter: FilterQuery<Notification>, n: number): Promise<NotificationDoc[]> {
    return this.notifications.find(filter).sort({ _id: -1 }).limit(n).lean<NotificationDoc[]>().exec();
  }

  /** Up to `n` notifications matching `filter`, oldest first (`_id` ascending). */
  oldestFirst(filter: FilterQuery<Notification>, n: number): Promise<NotificationDoc[]> {
    return this.notifications.find(filter).sort({ _id: 1 }).limit(n).lean<NotificationDoc[]>().exec();
  }

  /**
   * How many notifications match `filter`, counting no further than `max` (MongoDB manual,
   * `countDocuments` option `limit`).
   */
  count(filter: FilterQuery<Notification>, max: number): Promise<number> {
    return this.notifications.countDocuments(filter, { limit: max }).exec();
  }

  /** The recipient of notification `_id` (read by the lone `_id`); undefined when there is none. */
  async recipientOf(_id: Types.ObjectId): Promise<string | undefined> {
    const doc = await this.notifications.findOne({ _id }, { recipientId: 1 }).lean().exec();
    return doc?.recipientId;
  }

  /**
   * Sets `fields` on notification `_id` (filter: the lone `_id`).
   * @returns the notification after the change; null when there is none
   */
  setFields(_id: Types.ObjectId, fields: Record<string, unknown>): Promise<NotificationDoc | null> {
    return this.notifications.findOneAndUpdate({ _id }, { $set: fields }, { new: true }).exec();
  }

  /**
   * Sets `fields` on every notification matching `filter`.
   * @returns how many were changed (`modifiedCount`)
   */
  async setMatching(filter: FilterQuery<Notification>, fields: Record<string, unknown>): Promise<number> {
    const res = await this.notifications.updateMany(filter, { $set: fields }).exec();
    return res.modifiedCount;
  }
}
