import { Types } from 'mongoose';
import { Limits, MessageCreatedEvent } from '@herald/contracts';
import { toMessageCreatedRecord } from '../../apps/messages/src/outbox/message-created.mapper';
import type { StoredMessage } from '../../apps/messages/src/dal/messages/message.schema';
import { buildMessage } from '../../apps/messages/src/messages/messages.service';
import type { Conversation } from '../../apps/messages/src/dal/conversations/conversation.schema';
import { notificationsFor, StoredNotification } from '../../apps/notifications/src/consumer/notification.writer';
import { hourOf } from '../../apps/notifications/src/inbox/inbox-bucket';
import { pick, Random, seeded, shuffle, uuidFrom } from './prng';

/**
 * Shape of the synthetic data of the volume benchmark. Every message is a direct message from one
 * of the recipient's contacts to the recipient, so it yields exactly one notification (the sender
 * never gets one: `notificationsFor`).
 */
export interface VolumeShape {
  /** Notifications (= messages) to generate. */
  notifications: number;
  /** Users `vu-00000` … (rank 0 has the largest inbox). */
  users: number;
  /** Seed of every random choice (inbox order, senders, read state). */
  seed: number;
  /** Share of the notifications spread evenly over all users (the rest follows Zipf). */
  evenShare: number;
  /** Zipf exponent of the uneven share: inbox of rank r ∝ 1 / (r + 1)^s. */
  zipfExponent: number;
  /** Most distinct contacts (conversations) a recipient receives from; 1 per `perContact` notifications. */
  maxContacts: number;
  perContact: number;
  /** Messages are spread over this many days before now (all younger than any retention). */
  days: number;
}

/** Defaults: half even, half Zipf(1.2) → at 1,000,000 over 10,000 users most have ~50, 7 have > 10,000. */
export const VOLUME_SHAPE: Omit<VolumeShape, 'notifications' | 'users'> = {
  seed: 18,
  evenShare: 0.5,
  zipfExponent: 1.2,
  maxContacts: 200,
  perContact: 5,
  days: 30,
};

/** User id of a rank (zero-padded so ids sort by rank). */
export const volumeUser = (rank: number): string => `vu-${String(rank).padStart(5, '0')}`;

/**
 * Inbox size of every user rank: `evenShare` of `total` spread evenly, the rest by Zipf with
 * exponent `s`; rounded by largest remainder so the sizes add up to exactly `total`.
 * @returns sizes indexed by rank, non-increasing
 */
export function inboxSizes(total: number, users: number, evenShare: number, s: number): Int32Array {
  const weights = Array.from({ length: users }, (_, r) => 1 / (r + 1) ** s);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * evenShare) / users + (total * (1 - evenShare) * w) / sum);
  const sizes = Int32Array.from(exact, Math.floor);
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, r) => [x - Math.floor(x), r]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; left > 0; i = (i + 1) % users, left--) sizes[byRemainder[i][1]]++;
  return sizes;
}

/** Rank of contact `j` of user `rank`: never the user itself. */
export function contactRank(rank: number, j: number, users: number): number {
  return (rank + 1 + ((j * 7919 + rank * 31) % (users - 1))) % users;
}

export type { StoredMessage };
/** A conversation summary as the messages app's read model keeps it. */
export type StoredConversation = Conversation;

/** One insert batch: messages and the notifications they yield (same length, same order). */
export interface VolumeBatch {
  messages: StoredMessage[];
  notifications: StoredNotification[];
}

const WORDS =
  'lunch at noon bring the slides release notes are ready please review the draft before friday call me when you land'.split(
    ' ',
  );

/**
 * Deterministic volume data: users' inbox sizes from {@link inboxSizes}, recipients interleaved in a
 * seeded random order (like real traffic), each message from one of the recipient's contacts,
 * `createdAt` rising evenly over `days`. Messages are built like the messages app stores them
 * (the messages app's own `buildMessage`; acknowledged, so no outbox entry); notifications with the notifications app's
 * own `notificationsFor` applied to the app's own `message.created` mapping; about 80 % of the
 * older 90 % and 10 % of the newest 10 % are read, 2 % archived. Conversations are folded as the
 * messages app's `recordMessage` does and returned by {@link VolumeData.conversations} at the end.
 */
export class VolumeData {
  readonly sizes: Int32Array;
  private readonly convs = new Map<string, StoredConversation>();
  private readonly hours = new Map<string, Set<number>>();

  constructor(readonly shape: VolumeShape) {
    this.sizes = inboxSizes(shape.notifications, shape.users, shape.evenShare, shape.zipfExponent);
  }

  /** Distinct contacts of a user rank (1 per `perContact` notifications, at most `maxContacts`). */
  contacts(rank: number): number {
    return Math.max(
      1,
      Math.min(this.shape.maxContacts, this.shape.users - 1, Math.ceil(this.sizes[rank] / this.shape.perContact)),
    );
  }

  /** Yields the data in insert batches of `batchSize` messages (+ as many notifications). */
  *batches(batchSize: number, now = Date.now()): Generator<VolumeBatch> {
    const { notifications: n, users, seed, days } = this.shape;
    const random: Random = seeded(seed);
    const order = new Int32Array(n);
    for (let r = 0, i = 0; r < users; r++) order.fill(r, i, (i += this.sizes[r]));
    shuffle(order, random);
    const start = now - days * 86_400_000;
    const step = (days * 86_400_000) / Math.max(1, n);
    let batch: VolumeBatch = { messages: [], notifications: [] };
    for (let i = 0; i < n; i++) {
      const rank = order[i];
      const senderId = volumeUser(contactRank(rank, pick(random, this.contacts(rank)), users));
      const recipientId = volumeUser(rank);
      const createdAt = new Date(Math.floor(start + i * step));
      const message = this.message(senderId, recipientId, createdAt, i, random);
      const [notification] = notificationsFor(
        toMessageCreatedRecord(message).value as MessageCreatedEvent,
        new Date(createdAt.getTime() + 20),
      );
      this.readState(notification, i / n, random);
      this.fold(message);
      this.recordHour(notification);
      batch.messages.push(message);
      batch.notifications.push(notification);
      if (batch.messages.length >= batchSize) {
        yield batch;
        batch = { messages: [], notifications: [] };
      }
    }
    if (batch.messages.length) yield batch;
  }

  /**
   * The inbox hour directory (`inbox_buckets`) of every notification yielded so far, as the
   * notifications app's consumer records it (one document per user, its hours and the first one).
   */
  inboxBuckets(): Array<{ _id: string; hours: number[]; since: number }> {
    return [...this.hours].map(([user, set]) => {
      const hours = [...set];
      return { _id: user, hours, since: Math.min(...hours) };
    });
  }

  private recordHour(n: StoredNotification): void {
    let set = this.hours.get(n.recipientId);
    if (!set) this.hours.set(n.recipientId, (set = new Set()));
    set.add(hourOf(n._id));
  }

  /** The conversation read model of every message yielded so far. */
  conversations(): StoredConversation[] {
    return [...this.convs.values()];
  }

  private message(senderId: string, recipientId: string, createdAt: Date, i: number, random: Random): StoredMessage {
    const words = Array.from({ length: 4 + pick(random, 20) }, () => WORDS[pick(random, WORDS.length)]);
    const identity = { messageId: new Types.ObjectId(), eventId: uuidFrom(random) };
    return buildMessage(
      senderId,
      { recipientIds: [recipientId], body: `#${i} ${words.join(' ')}` },
      identity,
      createdAt,
    );
  }

  private readState(doc: StoredNotification, age: number, random: Random): void {
    const later = new Date(doc.storedAt.getTime() + 60_000);
    if (random() < (age < 0.9 ? 0.8 : 0.1)) {
      doc.seenAt = later;
      doc.readAt = later;
      doc.seen = doc.read = true; // the flags the app's PATCH sets with the dates
    }
    if (random() < 0.02) {
      doc.archivedAt = later;
      doc.archived = true;
    }
  }

  private fold(m: StoredMessage): void {
    const c = this.convs.get(m.conversationId);
    const lastMessage = {
      id: m._id.toHexString(),
      senderId: m.senderId,
      preview: [...m.body].slice(0, Limits.previewLength).join(''),
      createdAt: m.createdAt,
    };
    if (!c) {
      this.convs.set(m.conversationId, {
        _id: m.conversationId,
        participants: [...m.participants],
        createdAt: m.createdAt,
        lastMessageAt: m.createdAt,
        lastMessage,
      });
    } else if (m.createdAt >= c.lastMessageAt) {
      c.lastMessageAt = m.createdAt;
      c.lastMessage = lastMessage;
    }
  }
}
