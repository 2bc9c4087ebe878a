import { MessageCreatedEvent, Topics } from '@herald/contracts';
import { OutgoingRecord } from '@herald/kafka';
import { Message } from '../dal/messages/message.schema';

/**
 * Builds the `message.created` v1 record of a stored message: key = conversationId (Kafka keeps
 * per-key order within a partition), value = the versioned envelope, header `event-id`.
 * Pure: the same document always gives the same record, so a republish is byte-identical.
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
      createdAt: doc.createdAt,
    },
  };
  return { key: doc.conversationId, value: event, headers: { 'event-id': doc.eventId, 'event-type': event.type } };
}
