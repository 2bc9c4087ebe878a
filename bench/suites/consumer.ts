import fs from 'node:fs';
import path from 'node:path';
import { Topics } from '@herald/contracts';
import { NOTIFICATIONS_GROUP_ID } from '../../apps/notifications/src/notifications.settings';
import { NotificationSchema } from '../../apps/notifications/src/dal/notifications/notification.schema';
import { CpuMeter, serverPids } from '../lib/cpu';
import { groupLag, preloadMessageCreated, resetTopics, topicEndOffsets } from '../lib/kafka';
import { appEntry, Child, freePort, RESULTS_DIR, ROOT, startNode } from '../lib/procs';
import { ProfileSummary, summarizeProfile } from '../lib/profile';
import { deleteGroup, freshDb, heraldEnv, SuiteContext } from './context';

/** One catch-up run of one side. */
export interface CatchUpRun {
  side: 'herald' | 'baseline';
  run: number;
  events: number;
  notifications: number;
  /** From process spawn until every event was handled and committed (all notifications stored). */
  totalMs: number;
  /** From spawn until the first notification was stored (start-up, group join, first fetch). */
  firstStoredMs: number;
  /** notifications / totalMs. */
  perSecond: number;
  /** CPU seconds used during the run, per process. */
  cpuSeconds: Record<string, number>;
  profiled?: boolean;
}

/** Result of the consumer catch-up benchmark. */
export interface CatchUpResult {
  preloadMs: number;
  runs: CatchUpRun[];
  profile?: ProfileSummary & { run: CatchUpRun };
}

/**
 * The indexes the baseline builds on its `notifications` collection: the very ones Herald's inbox
 * needs (its schema's: the unique `(eventId, recipientId)` plus the recipient-first compound
 * indexes of the inbox queries), so both sides store the same documents into the same collection
 * layout and the ratio measures the consumer, not the index count. `BENCH_BASELINE_INDEXES=unique`
 * keeps only the unique index (the cheapest possible write path, a reference figure).
 */
export function baselineIndexes(): Array<[Record<string, 1 | -1>, { unique?: boolean }]> {
  const all = NotificationSchema.indexes() as Array<[Record<string, 1 | -1>, { unique?: boolean }]>;
  const onlyUnique = process.env.BENCH_BASELINE_INDEXES === 'unique';
  return all.filter(([, o]) => !onlyUnique || o?.unique).map(([keys, o]) => [keys, o?.unique ? { unique: true } : {}]);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const PROFILE_DIR = path.join(RESULTS_DIR, 'profiles');

/**
 * Waits until `child`'s consumer group has committed every record of `message.created`, then
 * checks with `countDocuments` that all notifications are stored (keeps polling the count if not).
 * The lag (Kafka offsets, cheap) is the clock; the count (a full scan on FerretDB v1, ~0.1 ms per
 * document) is the proof, run once at the end so it does not slow the run it measures. Until the
 * first notification exists, a `findOne` (cheap) is polled instead, for the start-up time.
 */
async function waitCaughtUp(
  ctx: SuiteContext,
  child: Child,
  group: string,
  db: string,
  expected: number,
): Promise<{ endAt: number; firstAt: number }> {
  const ends = await topicEndOffsets(ctx.admin, Topics.MessageCreated);
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const deadline = Date.now() + Math.max(120_000, total * 20);
  const col = ctx.mongo.db(db).collection('notifications');
  let firstAt = NaN;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null)
      throw new Error(`${child.name} exited during catch-up; see bench/results/logs`);
    if (Date.now() > deadline) throw new Error(`${child.name} did not catch up in time`);
    if (Number.isNaN(firstAt)) {
      if (await col.findOne({}, { projection: { _id: 1 } }).catch(() => null)) firstAt = performance.now();
      else {
        await sleep(50);
        continue;
      }
    }
    const lag = await groupLag(ctx.admin, group, Topics.MessageCreated, ends).catch(() => total);
    if (lag === 0) {
      let endAt = performance.now();
      for (let n = await col.countDocuments(); n < expected; n = await col.countDocuments()) {
        if (Date.now() > deadline) throw new Error(`${child.name}: ${n}/${expected} notifications stored`);
        await sleep(200);
        endAt = performance.now();
      }
      return { endAt, firstAt };
    }
    await sleep(100);
  }
}

/** Spawns one side's consumer process on a fresh database and times its catch-up. */
async function catchUpOnce(
  ctx: SuiteContext,
  side: CatchUpRun['side'],
  run: number,
  profile = false,
): Promise<CatchUpRun> {
  const events = ctx.params.consumerEvents;
  const db = `bench_consumer_${side}_${run}${profile ? '_prof' : ''}`;
  await freshDb(ctx, db);
  const group = side === 'herald' ? NOTIFICATIONS_GROUP_ID : `bench-baseline-${ctx.stamp}-${run}`;
  await deleteGroup(ctx.admin, group);
  const logName = `consumer-${side}-${run}${profile ? '-prof' : ''}-${ctx.stamp}`;
  const servers = serverPids();
  let child: Child;
  if (side === 'herald') {
    const nodeArgs = profile
      ? ['--cpu-prof', `--cpu-prof-dir=${path.relative(ROOT, PROFILE_DIR)}`, '-r', './bench/support/exit-on-sigusr2.js']
      : [];
    child = startNode({
      name: 'notifications',
      script: appEntry('notifications'),
      nodeArgs,
      logName,
      env: heraldEnv(ctx, db, { NOTIFICATIONS_PORT: String(await freePort()) }),
    });
  } else {
    child = startNode({
      name: 'baseline-consumer',
      script: 'bench/baseline/consumer.ts',
      logName,
      env: {
        KAFKA_BROKERS: ctx.servers.KAFKA_BROKERS,
        MONGODB_URI: `${ctx.servers.mongoBase}/${db}`,
        BENCH_GROUP: group,
        BENCH_INDEXES: JSON.stringify(baselineIndexes()),
      },
    });
  }
  const cpu = new CpuMeter({ ...servers, [side]: child.proc.pid });
  try {
    const { endAt, firstAt } = await waitCaughtUp(ctx, child, group, db, 2 * events);
    const cpuSeconds = cpu.stop();
    const totalMs = endAt - child.startedAt;
    return {
      side,
      run,
      events,
      notifications: 2 * events,
      totalMs,
      firstStoredMs: firstAt - child.startedAt,
      perSecond: (2 * events) / (totalMs / 1000),
      cpuSeconds,
      ...(profile ? { profiled: true } : {}),
    };
  } finally {
    if (profile) await child.stop('SIGUSR2', 30_000);
    await child.stop();
    await deleteGroup(ctx.admin, group).catch(() => undefined);
    await ctx.mongo
      .db(db)
      .dropDatabase()
      .catch(() => undefined);
  }
}

/**
 * Consumer catch-up: pre-loads `consumerEvents` `message.created` events (2 recipients each) into
 * fresh topics, then per run times the Herald notifications app (the real compiled app, group
 * `notifications`) and the raw baseline (own group), alternating which goes first, each on a
 * fresh database. Optionally one more, untimed Herald run under `node --cpu-prof`.
 */
export async function consumerSuite(ctx: SuiteContext): Promise<CatchUpResult> {
  const { consumerEvents, partitions, runs } = ctx.params;
  ctx.log(`consumer catch-up: pre-loading ${consumerEvents} message.created events into ${partitions} partitions`);
  await resetTopics(ctx.admin, partitions, [NOTIFICATIONS_GROUP_ID]);
  const preloadMs = await preloadMessageCreated(ctx.kafka, Topics.MessageCreated, consumerEvents);
  ctx.log(`  pre-loaded in ${(preloadMs / 1000).toFixed(1)} s`);
  const results: CatchUpRun[] = [];
  for (let run = 1; run <= runs; run++) {
    const order: Array<CatchUpRun['side']> = run % 2 ? ['herald', 'baseline'] : ['baseline', 'herald'];
    for (const side of order) {
      const r = await catchUpOnce(ctx, side, run);
      results.push(r);
      ctx.log(
        `  run ${run} ${side.padEnd(8)} ${r.perSecond.toFixed(0).padStart(7)} notifications/s (${(r.totalMs / 1000).toFixed(1)} s, first stored after ${(r.firstStoredMs / 1000).toFixed(1)} s)`,
      );
    }
  }
  let profile: CatchUpResult['profile'];
  if (ctx.params.profile) {
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    const before = new Set(fs.readdirSync(PROFILE_DIR));
    const r = await catchUpOnce(ctx, 'herald', runs + 1, true);
    const file = fs.readdirSync(PROFILE_DIR).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (file) {
      profile = { ...summarizeProfile(path.join(PROFILE_DIR, file)), run: r };
      ctx.log(`  profiled run: ${r.perSecond.toFixed(0)} notifications/s; profile ${profile.file}`);
    } else {
      ctx.log('  profiled run: no .cpuprofile was written');
    }
  }
  return { preloadMs, runs: results, profile };
}
