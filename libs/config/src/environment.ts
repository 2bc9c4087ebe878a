import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { toBool, toInt } from './parsers';
import { SecurityEnvironment } from './security-environment';

/**
 * Every environment variable Herald reads, with its rule and default (security variables in
 * {@link SecurityEnvironment}). Read once at start-up by {@link validateEnvironment}; apps get typed
 * values through `AppConfig`.
 */
export class Environment extends SecurityEnvironment {
  /** `development` | `test` | `production`. Production turns dev tokens off and requires secrets. */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  /** Comma-separated `host:port` list of Kafka bootstrap brokers. */
  @Matches(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** Kafka client id prefix; Nest appends `-client`/`-server`. */
  @IsString()
  @MinLength(1)
  KAFKA_CLIENT_ID = 'herald';

  /**
   * Consumer group of the notifications app's `message.created` consumer. Every instance of one
   * deployment must use the same group; tests sharing a broker use their own to stay isolated.
   */
  @Matches(/^[A-Za-z0-9._-]{1,200}$/, {
    message: 'KAFKA_CONSUMER_GROUP must be 1..200 characters of A-Z a-z 0-9 . _ -',
  })
  KAFKA_CONSUMER_GROUP = 'notifications';

  /**
   * Consumer group of the messages app's conversation projection on `message.created` (it keeps
   * the conversation summaries of `GET /conversations`). A group of its own, so it reads every
   * record next to the notifications group; every messages instance of one deployment uses the same.
   */
  @Matches(/^[A-Za-z0-9._-]{1,200}$/, {
    message: 'KAFKA_CONVERSATIONS_GROUP must be 1..200 characters of A-Z a-z 0-9 . _ -',
  })
  KAFKA_CONVERSATIONS_GROUP = 'conversations';

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

  /**
   * Most `message.created` records the notifications consumer stores with one write (one
   * `insertMany`); a fetched batch (kafkajs `eachBatch`, up to `maxBytesPerPartition` = 1 MiB per
   * partition) is cut into chunks of this size, each committed once stored.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5000)
  KAFKA_CONSUMER_BATCH_SIZE = 500;

  /** Partitions used when Herald creates its topics (existing topics are left as they are). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_TOPIC_PARTITIONS = 3;

  /** Create missing topics at start-up (Kafka Admin API `CreateTopics`). */
  @Transform(toBool)
  @IsBoolean()
  KAFKA_CREATE_TOPICS = true;

  /** MongoDB connection string (`mongodb://` or `mongodb+srv://`), database in the path. */
  @Matches(/^mongodb(\+srv)?:\/\/.+/, { message: 'MONGODB_URI must be a mongodb:// or mongodb+srv:// URI' })
  MONGODB_URI = 'mongodb://127.0.0.1:27017/herald';

  /**
   * Most connections one app process opens to the MongoDB-wire server (the driver's `maxPoolSize`,
   * default 100 there), so the most commands it has in flight at once; more wait in the driver's
   * queue. Kept small for FerretDB v1.24 on PostgreSQL: an update holds one PostgreSQL connection
   * for its query while it writes in a transaction on a second one, so when the updates in flight
   * across all clients take every connection of FerretDB's pool, each waits for a second one
   * forever and the server stops answering (seen with two apps of 100 each against a pool of 200,
   * stack/lib/postgres.js). Sum over all processes should stay well under half of FerretDB's pool.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  MONGODB_MAX_POOL_SIZE = 20;

  /** HS256 secret for JWTs (at least 16 characters; or JWT_SECRET_FILE). No default in production. */
  @ValidateIf((e: Environment) => e.JWT_SECRET !== undefined)
  @IsString()
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET?: string;

  /** Lifetime of dev-issued tokens, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  JWT_TTL_SECONDS = 3600;

  /** Whether `POST /api/v1/auth/token` issues tokens. Forced off when NODE_ENV=production. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  AUTH_DEV_TOKENS?: boolean;

  /** HTTP port of the messages app. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  MESSAGES_PORT = 3000;

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

  /** Address both apps bind to. */
  @IsString()
  HTTP_HOST = '0.0.0.0';

  /** pino log level. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Log output: `json` (one JSON object per line, pino) or `pretty` (one readable line per record,
   * pino-pretty). Unset: `pretty` when stdout is a terminal, else `json`; `npm run dev` sets `pretty`.
   */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

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
