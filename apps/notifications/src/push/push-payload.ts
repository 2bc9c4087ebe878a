import { NotificationCreatedData } from '@herald/contracts';

/** The `notification.created` SSE payload: the stored notification, as GET returns it. */
export function toPushPayload(d: NotificationCreatedData): Record<string, unknown> {
  return {
    id: d.id,
    recipientId: d.recipientId,
    type: d.type,
    eventId: d.sourceEventId,
    messageId: d.messageId,
    conversationId: d.conversationId,
    senderId: d.senderId,
    preview: d.preview,
    createdAt: d.createdAt,
    seenAt: null,
    readAt: null,
    archivedAt: null,
    count: 1,
    senderIds: [d.senderId],
    lastMessageAt: d.createdAt,
  };
}
