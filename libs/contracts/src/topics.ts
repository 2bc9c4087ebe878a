/**
 * Kafka topic names: the only place they are defined.
 *
 * Naming follows the event type (`<aggregate>.<past-tense verb>`); a dead-letter topic (DLQ) is
 * its source topic with the `.dlq` suffix.
 */
export const Topics = {
  /** Produced by the messages app (key = conversationId), consumed by the `notifications` group. */
  MessageCreated: 'message.created',
  /** Poison `message.created` records: original bytes + headers + the reason they were rejected. */
  MessageCreatedDlq: 'message.created.dlq',
  /**
   * The push topic: produced by the notifications app after a notification is stored
   * (`notification.created`) or a message was folded into one (`notification.updated`, digest),
   * key = recipientId for both, so the pushes of one recipient stay in order on one partition.
   */
  NotificationCreated: 'notification.created',
  /**
   * Produced by the notifications app after a user's read/seen/archived state changed through its
   * API (PATCH, read-all; key = userId), so every instance pushes that user a fresh unread count.
   */
  InboxChanged: 'inbox.changed',
} as const;

/**
 * The dead-letter topic (DLQ) of each consumed topic: the only topics whose records may be dead-
 * lettered. A topic consumed without a DLQ here cannot move a record aside (see `dlqTopicOf` in
 * @herald/kafka).
 */
export const DeadLetterTopics: Readonly<Record<string, string>> = {
  [Topics.MessageCreated]: Topics.MessageCreatedDlq,
};

/** One of the topic names above. */
export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Every topic the system uses, for provisioning (stack scripts, compose topic init, app start). */
export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);
