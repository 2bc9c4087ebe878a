import { Admin, Kafka } from 'kafkajs';
import { resetTopics } from '../lib/kafka';
import { mongo } from 'mongoose';
import { Backend } from '../lib/backend';
import { BenchServers } from '../lib/stack';
import type { WriteParams } from './write-params';

/** Sizes and repetitions of one benchmark invocation. */
export interface BenchParams extends WriteParams {
  mode: 'smoke' | 'full';
  /** Runs per benchmark and side; each figure is the median over them. */
  runs: number;
  /** Consumer catch-up: `message.created` events pre-loaded (2 notifications each). */
  consumerEvents: number;
  /** Partitions of the benchmark's topics. */
  partitions: number;
  /** HTTP ingest: autocannon connections, measured and warm-up seconds. */
  ingestConnections: number;
  ingestSeconds: number;
  ingestWarmupSeconds: number;
  /** End-to-end latency: arrival rate (messages/s), measured and warm-up seconds. */
  e2eRate: number;
  e2eSeconds: number;
  e2eWarmupSeconds: number;
  /**
   * When the ingest benchmark found Herald slower than `e2eRate`, also measure end-to-end latency
   * at half of Herald's measured ingest throughput (a load it can sustain).
   */
  e2eAlsoSustainable: boolean;
  /**
   * Indexes of the baseline consumer's collection: `inbox` (the same as Herald's notifications
   * collection, default) or `unique` (only the unique index; env BENCH_BASELINE_INDEXES=unique).
   */
  baselineIndexes?: 'inbox' | 'unique';
  /** Extra, untimed catch-up run of the notifications app under `node --cpu-prof`. */
  profile: boolean;
  /** Which benchmarks to run. */
  suites: Array<'consumer' | 'ingest' | 'e2e' | 'soak' | 'volume'>;
  /** Volume: notifications pre-loaded, one fresh database per size (`--volume-sizes`). */
  volumeSizes: number[];
  /** Volume: users the notifications are spread over (power-law, see bench/lib/volume-data.ts). */
  volumeUsers: number;
  /** Volume: measured sequential requests per endpoint (`--volume-requests`) and unmeasured warm-up ones before them. */
  volumeRequests: number;
  volumeWarmup: number;
  /** Volume: most seconds one endpoint is measured (fewer requests are then reported as such). */
  volumeMaxSeconds: number;
  /** Volume: most seconds of pre-load per size; the measurement then runs on what was loaded. */
  volumeMaxLoadSeconds: number;
  /** Volume: documents per `insertMany`. */
  volumeBatch: number;
  /** Volume: seconds over which idle database CPU is measured. */
  volumeIdleSeconds: number;
  /** Volume: storage backends of the bench stack's FerretDB, each in turn (`--backends`); empty: the one the stack started on. */
  backends: Backend[];
}

/** What every benchmark suite gets. */
export interface SuiteContext {
  params: BenchParams;
  servers: BenchServers;
  kafka: Kafka;
  admin: Admin;
  mongo: mongo.MongoClient;
  /** JWT_SECRET given to the apps (tokens are signed with it). */
  jwtSecret: string;
  /** Unique tag of this invocation (consumer group names, log file names). */
  stamp: string;
  log(message: string): void;
}

/**
 * Env every Herald app process gets in the benchmark: production mode, default log level (env
 * BENCH_LOG_LEVEL overrides), rate limiting off (one load generator on one IP would get 429s within
 * seconds: the limits protect against abusive clients, they are not what is measured).
 */
export function heraldEnv(ctx: SuiteContext, db: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    KAFKA_BROKERS: ctx.servers.KAFKA_BROKERS,
    MONGODB_URI: `${ctx.servers.mongoBase}/${db}`,
    KAFKA_TOPIC_PARTITIONS: String(ctx.params.partitions),
    JWT_SECRET: ctx.jwtSecret,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'info',
    HTTP_HOST: '127.0.0.1',
    RATE_LIMIT_ENABLED: 'false',
    ...appEnvOverrides(process.env.BENCH_APP_ENV),
    ...extra,
  };
}

/**
 * Extra environment for the Herald apps under test, from `BENCH_APP_ENV` (`K=V,K2=V2`), e.g.
 * `BENCH_APP_ENV=KAFKA_CONSUMER_BATCH_SIZE=2000` to compare a setting.
 * @throws Error for an entry that is not `NAME=value`
 */
export function appEnvOverrides(spec = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of spec.split(',').filter(Boolean)) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(entry.trim());
    if (!m) throw new Error(`BENCH_APP_ENV: expected NAME=value, got ${entry}`);
    out[m[1]] = m[2];
  }
  return out;
}

/** Drops a database so a run starts from nothing (FerretDB: one SQLite file per database). */
export async function freshDb(ctx: SuiteContext, db: string): Promise<void> {
  await ctx.mongo.db(db).dropDatabase();
}

/**
 * Deletes a consumer group, retrying while it still has members (a stopped app's member leaves on
 * disconnect; a killed one only after its session timeout). Missing groups are fine.
 */
export async function deleteGroup(admin: Admin, groupId: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.listGroups();
    if (!groups.some((g) => g.groupId === groupId)) return;
    try {
      await admin.deleteGroups([groupId]);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Empty topics for the next measured app: deletes consumer `groups` (waiting for members to leave,
 * see {@link deleteGroup}), then deletes and recreates every Herald topic. A group without committed
 * offsets starts at the earliest offset (libs/kafka `subscribe.fromBeginning`), so without this an
 * app's consumer group would first replay what earlier suites or runs produced while this run is
 * being measured (e.g. the messages app's `conversations` projection replaying the consumer
 * suite's pre-loaded events during HTTP ingest).
 */
export async function emptyTopics(ctx: SuiteContext, groups: string[]): Promise<void> {
  for (const g of groups) await deleteGroup(ctx.admin, g);
  await resetTopics(ctx.admin, ctx.params.partitions, groups);
}
