import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AppConfig, defineSettings, IsConsumerGroupId, loadConfig, RawEnvironment, toInt } from '@herald/config';

/** Default consumer group of the conversation projection (`KAFKA_CONVERSATIONS_GROUP`). */
export const CONVERSATIONS_GROUP_ID = 'conversations';

/**
 * The variables only the messages app reads (namespace `messages`, {@link messagesSettings}), with
 * their rules and defaults; the shared ones (Kafka, MongoDB, JWT, HTTP, logs) are `Environment`'s in
 * `@herald/config`. Validated with those at start-up by `loadConfig`.
 */
export class MessagesSettings {
  /** HTTP port of the messages app. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  MESSAGES_PORT = 3000;

  /**
   * Consumer group of the messages app's conversation projection on `message.created` (it keeps
   * the conversation summaries of `GET /conversations`). A group of its own, so it reads every
   * record next to the notifications group; every messages instance of one deployment uses the same.
   */
  @IsConsumerGroupId('KAFKA_CONVERSATIONS_GROUP')
  KAFKA_CONVERSATIONS_GROUP = CONVERSATIONS_GROUP_ID;

  /**
   * Conversation projection: how long the broker may hold a fetch of group `KAFKA_CONVERSATIONS_GROUP`
   * to gather more records (ms; Kafka's `fetch.max.wait.ms` with a large `fetch.min.bytes`). At low
   * load every message would otherwise be projected on its own (a fetch, a summary read, a write and
   * an offset commit per message, competing with the request path for the same CPUs and database);
   * with a linger the projection handles whatever arrived in that time as one batch. It adds at most
   * this much to how long `GET /conversations` lags behind a 201. 0 = fetch each record at once.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  CONVERSATIONS_FETCH_LINGER_MS = 100;

  /** How long the request path waits for Kafka before leaving the event to the outbox relay (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  PUBLISH_TIMEOUT_MS = 2000;

  /**
   * Group commit: the most messages one flush stores (one outbox `insertOne`, one `insertMany`) and
   * publishes (one Kafka produce request). 500 × the largest message (4,000 characters, ≤ 16 KB of
   * UTF-8, 100 recipients) keeps an outbox entry well under MongoDB's 16 MB document limit.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  INGEST_BATCH_MAX = 256;

  /**
   * Group commit: how long an idle writer waits for more requests before it flushes a group (ms).
   * 0 = flush at the end of the current event-loop turn; while a flush runs, newly arrived messages
   * wait for the next one anyway (that is where batches come from under load).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(50)
  INGEST_LINGER_MS = 0;

  /**
   * Group commit: how many groups may be in flight at once. Their database writes overlap; their
   * Kafka produce calls still run one at a time, in order (see `MessageGroupCommit`). 1 = one
   * flush at a time (the writer waits for Kafka before it stores the next group).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(8)
  INGEST_PIPELINE_DEPTH = 2;

  /** Outbox relay poll interval (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  OUTBOX_RELAY_INTERVAL_MS = 1000;

  /** Age an outbox entry must reach before the relay republishes its events (ms). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  OUTBOX_RELAY_MIN_AGE_MS = 3000;
}

/** The messages app's configuration namespace: inject its values with `@Inject(messagesSettings.KEY)`. */
export const messagesSettings = defineSettings('messages', MessagesSettings);

/**
 * The messages app's configuration: the shared variables and namespace `messages`, from `process.env`
 * overlaid with `overrides` (tests), validated at once (`loadConfig`).
 * @throws Error naming every invalid variable
 */
export function loadMessagesConfig(overrides: RawEnvironment = {}): AppConfig {
  return loadConfig(overrides, [messagesSettings]);
}
