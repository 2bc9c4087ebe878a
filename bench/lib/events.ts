import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { deriveConversationId } from '../../apps/messages/src/messages/conversation-id';
import { toMessageCreatedRecord } from '../../apps/messages/src/outbox/message-created.mapper';
import { Message } from '../../apps/messages/src/dal/messages/message.schema';

/** A `message.created` record ready for kafkajs: what the messages app's ClientKafka sends. */
export interface KafkaRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Users the generated messages are sent between. */
export const BENCH_USERS = 1000;

/** Id of bench user `i` (0-based), e.g. `user-0042`. */
export const benchUser = (i: number): string => `user-${String(i % BENCH_USERS).padStart(4, '0')}`;

/**
 * The `message.created` v1 record of the `i`-th generated message: sender and two distinct other
 * recipients from {@link BENCH_USERS} users, conversation id derived like the messages app does,
 * a fresh 24-hex ObjectId and UUID v4. Built by the messages app's own mapper
 * (`toMessageCreatedRecord`) and serialised as Nest's ClientKafka does (JSON value, string key).
 */
export function messageCreatedRecord(i: number, createdAt = new Date()): KafkaRecord {
  const sender = benchUser(i);
  const recipientIds = [benchUser(i + 1 + (i % 7)), benchUser(i + 11 + (i % 13))];
  const participants = [...new Set([sender, ...recipientIds])].sort();
  const doc: Message & { _id: Types.ObjectId } = {
    _id: new Types.ObjectId(),
    conversationId: deriveConversationId(sender, recipientIds),
    senderId: sender,
    recipientIds,
    participants,
    body: `Benchmark message #${i}: lunch at noon? Bring the quarterly numbers and the slides.`,
    createdAt,
    eventId: randomUUID(),
  };
  const record = toMessageCreatedRecord(doc);
  return { key: record.key, value: JSON.stringify(record.value), headers: record.headers ?? {} };
}
