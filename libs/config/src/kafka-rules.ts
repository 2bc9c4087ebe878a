import { Matches } from 'class-validator';

/** What a consumer group id may be here: 1..200 of `A-Z a-z 0-9 . _ -`. */
export const CONSUMER_GROUP_ID = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * The rule of a variable that names a Kafka consumer group (`KAFKA_CONSUMER_GROUP`,
 * `KAFKA_CONVERSATIONS_GROUP`): {@link CONSUMER_GROUP_ID}. Kafka itself accepts any non-empty
 * string as a `group.id`; this keeps to the characters of a legal topic name (Kafka docs, "Topic
 * naming"), so that a group id is safe in logs, metric labels and the DLQ header
 * `dlq-consumer-group`. A value outside it fails start-up with "`<variable>` must be 1..200
 * characters of A-Z a-z 0-9 . _ -".
 * @param variable the environment variable's name, for the message
 */
export function IsConsumerGroupId(variable: string): PropertyDecorator {
  return Matches(CONSUMER_GROUP_ID, { message: `${variable} must be 1..200 characters of A-Z a-z 0-9 . _ -` });
}
