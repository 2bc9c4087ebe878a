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
 * The environment variables both apps read (Kafka, MongoDB, JWT, HTTP, logs), with their rules and
 * defaults (security variables in {@link SecurityEnvironment}); a variable only one app reads is
 * declared in that app's settings class (`MessagesSettings`, `NotificationsSettings`, see
 * `defineSettings`). Read once at start-up by `loadConfig`; apps get typed values through `AppConfig`.
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
}
