import { MessageCreatedEvent, Topics } from '@herald/contracts';
import { OutgoingRecord } from '@herald/kafka';
import { Message } from '../dal/messages/message.schema';
import { parseMentions } from './mention-parser';

/**
 * Builds the `message.created` v2 record of a stored message: key = conversationId (Kafka keeps
 * per-key order within a partition), value = the versioned envelope, header `event-id`.
 * `mentions` are parsed from the body ({@link parseMentions}), not stored: the record stays a pure
 * function of the stored message, so a republish (relay) is byte-identical.
 */
export function toMessageCreatedRecord(doc: Message & { _id: { toHexString(): string } }): OutgoingRecord {
  const event: MessageCreatedEvent = {
    eventId: doc.eventId,
    type: Topics.MessageCreated,
    version: MessageCreatedEvent.version,
    occurredAt: doc.createdAt,
    data: {
      messageId: doc._id.toHexString(),
      conversationId: doc.conversationId,
      senderId: doc.senderId,
      recipientIds: doc.recipientIds,
      body: doc.body,
      mentions: parseMentions(doc.body, doc.recipientIds),
      createdAt: doc.createdAt,
    },
  };
  return { key: doc.conversationId, value: event, headers: { 'event-id': doc.eventId, 'event-type': event.type } };
}
