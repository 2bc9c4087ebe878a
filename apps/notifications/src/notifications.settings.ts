import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { AppConfig, defineSettings, IsConsumerGroupId, loadConfig, RawEnvironment, toInt } from '@herald/config';

/** Default consumer group of the notifications app on `message.created` (`KAFKA_CONSUMER_GROUP`). */
export const NOTIFICATIONS_GROUP_ID = 'notifications';

/**
 * The variables only the notifications app reads (namespace `notifications`,
 * {@link notificationsSettings}), with their rules and defaults; the shared ones (Kafka, MongoDB,
 * JWT, HTTP, logs) are `Environment`'s in `@herald/config`. Validated with those at start-up by
 * `loadConfig`.
 */
export class NotificationsSettings {
  /** HTTP port of the notifications app. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  NOTIFICATIONS_PORT = 3001;

  /**
   * The messages app's URL as a browser reaches it (scheme, host, port; no path), for the
   * notifications app's inbox page (`/inbox`), which sends messages and lists conversations there.
   * The messages app's `CORS_ORIGINS` must list the page's origin (`npm run dev` sets both).
   */
  @Matches(/^https?:\/\/[^/?#\s]+$/, {
    message: 'INBOX_MESSAGES_URL must be an origin like http://localhost:3000 (no path)',
  })
  INBOX_MESSAGES_URL = 'http://localhost:3000';

  /**
   * Consumer group of the notifications app's `message.created` consumer. Every instance of one
   * deployment must use the same group; tests sharing a broker use their own to stay isolated.
   */
  @IsConsumerGroupId('KAFKA_CONSUMER_GROUP')
  KAFKA_CONSUMER_GROUP = NOTIFICATIONS_GROUP_ID;

  /** Notifications expire after this many days (TTL index; a sweep where TTL is unsupported). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  NOTIFICATION_TTL_DAYS = 90;

  /**
   * Largest count `GET /notifications/count` (and the pushed `unread-count.changed`) reports:
   * beyond it the answer is this number with `capped: true` ("99+" on a badge). A count costs up to
   * this many documents decoded on the embedded FerretDB (it pushes no count down, only the
   * filter's equalities); chat backends cap unread counts the same way (Stream Chat: 255).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  INBOX_COUNT_MAX = 100;

  /**
   * Digest of bursts, in ms: a message whose recipient has an unread `message.created` notification
   * of the same conversation stored less than this long ago folds into it (count, latest preview,
   * senders) instead of adding one. 0 turns digests off. At most one hour (3,600,000).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  DIGEST_WINDOW_MS = 60_000;

  /**
   * Real-time connections (SSE streams plus Socket.IO sockets) one user may hold open at once,
   * across every notifications instance (counted in the `push_presence` collection); one more is
   * refused with 429 (SSE) or `connect_error` status 429 (Socket.IO). 0 turns the cap off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  PUSH_CONNECTIONS_PER_USER = 10;
}

/** The notifications app's configuration namespace: inject its values with `@Inject(notificationsSettings.KEY)`. */
export const notificationsSettings = defineSettings('notifications', NotificationsSettings);

/**
 * The notifications app's configuration: the shared variables and namespace `notifications`, from `process.env`
 * overlaid with `overrides` (tests), validated at once (`loadConfig`).
 * @throws Error naming every invalid variable
 */
export function loadNotificationsConfig(overrides: RawEnvironment = {}): AppConfig {
  return loadConfig(overrides, [notificationsSettings]);
}
