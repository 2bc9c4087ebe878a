import { Types } from 'mongoose';
import { Limits, MessageCreatedEvent, NotificationTypes } from '@herald/contracts';
import { bucketKey, hourOf } from '../inbox/inbox-bucket';
import { Notification } from '../dal/notifications/notification.schema';
import { UserPreferences } from '../dal/preferences/user-preferences';

/** A notification as written to MongoDB, with its `_id`. */
export type StoredNotification = Notification & { _id: Types.ObjectId };

/** Key of one (event, recipient) pair: the `_id` of its fold marker in `digest_folds`. */
export const foldKey = (eventId: string, recipientId: string): string => `${eventId}|${recipientId}`;
/** Key of one (recipient, conversation) pair: whose burst a message may fold into. */
export const burstKey = (recipientId: string, conversationId: string): string =>
  `${recipientId}\u0000${conversationId}`;

/** An open burst head: an unread `message.created` notification a message of its conversation folds into. */
export interface BurstHead {
  _id: Types.ObjectId;
  /** Its senders as known here, its own first (caps `senderIds` at {@link Limits.digestSenderIds}). */
  senderIds: string[];
  /** Made by this plan (inserted by this batch), not read from the database. */
  fresh: boolean;
}

/** One message folded into a head: applied by one guarded update (notification.writer.ts). */
export interface Fold {
  headId: Types.ObjectId;
  eventId: string;
  recipientId: string;
  conversationId: string;
  messageId: string;
  preview: string;
  lastMessageAt: Date;
  /** Senders to add to `senderIds` with `$addToSet` (the head's own first: a head stores none until its first fold); undefined: none. */
  addSenders?: string[];
  /** Into a head made by this plan (its insert must succeed first). */
  freshHead: boolean;
  /**
   * The pair had a fold marker (a redelivery or republication: the fold may already be in the head).
   * Without one it was never applied anywhere, since a marker is stored before its update.
   */
  replay: boolean;
}

/** What a batch writes: new notifications, then folds. */
export interface BatchPlan {
  docs: StoredNotification[];
  folds: Fold[];
}

/** What the plan needs to know beyond the events. */
export interface PlanInput {
  /** Preferences of the batch's recipients (missing = defaults). */
  preferences: ReadonlyMap<string, UserPreferences>;
  /** 0: digest off, every message is a notification of its own. */
  digestWindowMs: number;
  /** Fold markers already stored for pairs of this batch (a redelivery): fold key → head id. */
  markers: ReadonlyMap<string, Types.ObjectId>;
  /** Open heads read for this batch (unread, within the window): burst key → head. */
  heads: ReadonlyMap<string, BurstHead>;
  storedAt: Date;
}

/** Characters of the body a notification previews. */
export const previewOf = (body: string): string => [...body].slice(0, Limits.previewLength).join('');

/**
 * The recipients of one event that get a notification: distinct, never the sender, each with
 * whether the body mentions them (`message.created` v2 `mentions`, restricted to recipients).
 */
export function recipientsOf(event: MessageCreatedEvent): Array<{ recipientId: string; mentioned: boolean }> {
  const { data } = event;
  const mentions = new Set(data.mentions ?? []);
  return [...new Set(data.recipientIds)]
    .filter((r) => r !== data.senderId)
    .map((recipientId) => ({ recipientId, mentioned: mentions.has(recipientId) }));
}

/** A new notification of `type` for one recipient of `event`, `_id` in `storedAt`'s second, its hour `bucket`. */
export function newNotification(
  event: MessageCreatedEvent,
  recipientId: string,
  type: string,
  storedAt: Date,
): StoredNotification {
  const { data } = event;
  const _id = new Types.ObjectId(Math.floor(storedAt.getTime() / 1000));
  return {
    _id,
    recipientId,
    type,
    eventId: event.eventId,
    messageId: data.messageId,
    conversationId: data.conversationId,
    senderId: data.senderId,
    preview: previewOf(data.body),
    createdAt: data.createdAt,
    storedAt,
    seenAt: null,
    readAt: null,
    archivedAt: null,
    seen: false,
    read: false,
    archived: false,
    bucket: bucketKey(hourOf(_id), recipientId),
  };
}

/**
 * Decides what a batch of events (in partition order) writes, pure:
 *
 * 1. per recipient, the preferences ({@link UserPreferences.deliver}): nothing, a
 *    `message.mentioned` notification (never folded), or a `message.created` one;
 * 2. a `message.created` one whose pair already has a fold marker (a redelivery of a folded event)
 *    folds again into the marker's head (a no-op when it is in there: the update is guarded);
 * 3. else, with digest on, into the open head of its (recipient, conversation): one read for this
 *    batch, or one this batch makes;
 * 4. else it is a new notification, and the head of its burst for the rest of the batch.
 */
export function planBatch(events: readonly MessageCreatedEvent[], input: PlanInput): BatchPlan {
  const docs: StoredNotification[] = [];
  const folds: Fold[] = [];
  const heads = new Map(input.heads);
  for (const event of events) {
    const { data } = event;
    for (const { recipientId, mentioned } of recipientsOf(event)) {
      const delivery = (input.preferences.get(recipientId) ?? UserPreferences.none).deliver(
        data.conversationId,
        data.createdAt,
        mentioned,
      );
      if (!delivery.notify) continue;
      if (delivery.type !== NotificationTypes.MessageCreated || input.digestWindowMs === 0) {
        docs.push(newNotification(event, recipientId, delivery.type, input.storedAt));
        continue;
      }
      const key = burstKey(recipientId, data.conversationId);
      const marked = input.markers.get(foldKey(event.eventId, recipientId));
      const head: BurstHead | undefined = marked ? { _id: marked, senderIds: [], fresh: false } : heads.get(key);
      if (!head) {
        const doc = newNotification(event, recipientId, delivery.type, input.storedAt);
        docs.push(doc);
        heads.set(key, { _id: doc._id, senderIds: [data.senderId], fresh: true });
        continue;
      }
      // A replay (marker) does not touch senderIds: the first fold listed the sender already.
      const addSender =
        !marked && !head.senderIds.includes(data.senderId) && head.senderIds.length < Limits.digestSenderIds;
      if (addSender) head.senderIds.push(data.senderId);
      folds.push({
        headId: head._id,
        eventId: event.eventId,
        recipientId,
        conversationId: data.conversationId,
        messageId: data.messageId,
        preview: previewOf(data.body),
        lastMessageAt: data.createdAt,
        addSenders: addSender ? [head.senderIds[0], data.senderId] : undefined,
        freshHead: head.fresh,
        replay: marked !== undefined,
      });
    }
  }
  return { docs, folds };
}

/**
 * `folds` with those at the indexes of `marked` turned into replays: their pair already had a fold
 * marker, learned when its insert was refused as a duplicate key (notification.writer.ts), so it
 * folds again into the marker's head `n` (a no-op when it is in there: the update is guarded)
 * instead of the head it was planned into. Senders it was to add move to the next fold planned
 * into that head, which {@link planBatch} planned as if they were added (a head's `senderIds` lists
 * the senders of the messages it holds). A fold whose marker is gone again keeps its plan.
 * @param marked fold index → the head its stored marker names (`undefined`: not found)
 */
export function asReplays(folds: readonly Fold[], marked: ReadonlyMap<number, Types.ObjectId | undefined>): Fold[] {
  const out = [...folds];
  const carried = new Map<string, string[]>();
  out.forEach((f, i) => {
    const planned = f.headId.toHexString();
    const n = marked.get(i);
    if (n && !f.replay) {
      if (f.addSenders) carried.set(planned, [...(carried.get(planned) ?? []), ...f.addSenders]);
      out[i] = { ...f, headId: n, replay: true, freshHead: false, addSenders: undefined };
      return;
    }
    const carry = f.replay ? undefined : carried.get(planned);
    if (carry) {
      carried.delete(planned);
      out[i] = { ...f, addSenders: [...new Set([...carry, ...(f.addSenders ?? [])])] };
    }
  });
  return out;
}
