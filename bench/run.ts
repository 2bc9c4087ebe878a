/**
 * Herald benchmarks (issue #8): consumer catch-up, HTTP ingest and end-to-end latency, each against
 * a minimal baseline measured in the same invocation.
 *
 *   npm run bench                 full sizes → docs/benchmarks.{md,json,svg}
 *   npm run bench:smoke           small sizes (< 3 min) → bench/results/smoke.{md,json,svg}
 *   npm run bench -- --runs 5 --events 200000 --suites consumer,ingest --no-profile --keep-stack
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/run.ts --rerender docs/benchmarks.json
 *   npm run bench -- --suites soak --soak-minutes 2      # write-path goals (issue #12): soak alone, short
 *
 * Not part of `npm test`. Exit code 1 when a run failed or requests/notifications were lost;
 * missed performance goals are reported, not failed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mongo } from 'mongoose';
import { soakSuite, SoakResult } from './suites/soak';
import { parseWriteArg, writePreset, WriteParams } from './suites/write-params';
import { summarizeWrite } from './lib/write-summary';
import { writeGoalsTable } from './lib/write-report';
import { benchKafka, waitGroupCoordinator } from './lib/kafka';
import { machineInfo } from './lib/machine';
import { Backend, STACK_BACKENDS } from './lib/backend';
import { ROOT, snapshotBuild } from './lib/procs';
import { summaryTable, writeReports } from './lib/report';
import { benchServers, BenchServers } from './lib/stack';
import { BenchResults, summarize } from './lib/summary';
import { CatchUpResult, consumerSuite } from './suites/consumer';
import { BenchParams, SuiteContext } from './suites/context';
import { e2eSuite, E2eRun } from './suites/e2e';
import { ingestSuite, IngestRun } from './suites/ingest';
import { volumeSuite, VolumeResult } from './suites/volume';

const PRESETS: Record<BenchParams['mode'], Omit<BenchParams, keyof WriteParams>> = {
  full: {
    mode: 'full',
    runs: 3,
    consumerEvents: 100_000,
    partitions: 3,
    ingestConnections: 50,
    ingestSeconds: 20,
    ingestWarmupSeconds: 3,
    e2eRate: 500,
    e2eSeconds: 30,
    e2eWarmupSeconds: 3,
    e2eAlsoSustainable: true,
    profile: true,
    suites: ['consumer', 'ingest', 'e2e', 'volume'],
    volumeSizes: [100_000, 1_000_000],
    volumeUsers: 10_000,
    volumeRequests: 500,
    volumeWarmup: 20,
    volumeMaxSeconds: 60,
    volumeMaxLoadSeconds: 1800,
    volumeBatch: 2000,
    volumeIdleSeconds: 30,
    backends: ['sqlite', 'postgresql'],
  },
  smoke: {
    mode: 'smoke',
    runs: 1,
    consumerEvents: 3_000,
    partitions: 3,
    ingestConnections: 50,
    ingestSeconds: 5,
    ingestWarmupSeconds: 1,
    e2eRate: 100,
    e2eSeconds: 5,
    e2eWarmupSeconds: 1,
    e2eAlsoSustainable: false,
    profile: true,
    suites: ['consumer', 'ingest', 'e2e', 'volume'],
    volumeSizes: [1_000],
    volumeUsers: 100,
    volumeRequests: 30,
    volumeWarmup: 3,
    volumeMaxSeconds: 4,
    volumeMaxLoadSeconds: 30,
    volumeBatch: 1000,
    volumeIdleSeconds: 3,
    backends: [],
  },
};

/**
 * Parameters from the command line: `--smoke` picks the small preset; `--runs`, `--events`,
 * `--ingest-seconds`, `--e2e-rate`, `--e2e-seconds`, `--suites a,b`, `--no-profile` override it;
 * for the volume suite `--volume-sizes 100000,1000000`, `--volume-requests 500`,
 * `--volume-max-seconds 60` (per endpoint), `--volume-idle-seconds 30` and
 * `--backends sqlite,postgresql` (`external` with KAFKA_BROKERS/MONGODB_URI).
 * @throws Error on an unknown option or a bad number
 * Write-path options (bench/suites/write-params.ts): `--single-seconds`, `--e2e-senders`,
 * `--sweep-rates 300,400` (`none`), `--sweep-seconds`, `--soak-minutes`, `--soak-rate`, `--soak-sample-seconds`.
 */
export function parseArgs(argv: string[]): { params: BenchParams; keepStack: boolean; out?: string } {
  const base = PRESETS[argv.includes('--smoke') ? 'smoke' : 'full'];
  const params: BenchParams = {
    ...base,
    ...writePreset(base),
    baselineIndexes: process.env.BENCH_BASELINE_INDEXES === 'unique' ? 'unique' : 'inbox',
  };
  let keepStack = false;
  let out: string | undefined;
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--smoke') continue;
    const used = parseWriteArg(argv, i, params);
    if (used) i += used - 1;
    else if (a === '--runs') params.runs = Math.round(num(a, argv[++i]));
    else if (a === '--events') params.consumerEvents = Math.round(num(a, argv[++i]));
    else if (a === '--ingest-seconds') params.ingestSeconds = num(a, argv[++i]);
    else if (a === '--e2e-rate') params.e2eRate = num(a, argv[++i]);
    else if (a === '--e2e-seconds') params.e2eSeconds = num(a, argv[++i]);
    else if (a === '--no-profile') params.profile = false;
    else if (a === '--volume-sizes')
      params.volumeSizes = (argv[++i] ?? '').split(',').map((v) => Math.round(num(a, v.replace(/_/g, ''))));
    else if (a === '--volume-requests') params.volumeRequests = Math.round(num(a, argv[++i]));
    else if (a === '--volume-max-seconds') params.volumeMaxSeconds = num(a, argv[++i]);
    else if (a === '--volume-idle-seconds') params.volumeIdleSeconds = num(a, argv[++i]);
    else if (a === '--volume-users') params.volumeUsers = Math.max(2, Math.round(num(a, argv[++i])));
    else if (a === '--backends') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const bad = names.filter((n) => ![...STACK_BACKENDS, 'external'].includes(n as Backend));
      if (bad.length || names.length === 0)
        throw new Error(`--backends takes ${STACK_BACKENDS.join(',')} (or external); got ${argv[i]}`);
      params.backends = names as Backend[];
    } else if (a === '--keep-stack') keepStack = true;
    else if (a === '--out') out = argv[++i];
    else if (a === '--suites') {
      const names = (argv[++i] ?? '').split(',').filter(Boolean);
      const bad = names.filter((n) => !['consumer', 'ingest', 'e2e', 'soak', 'volume'].includes(n));
      if (bad.length || names.length === 0)
        throw new Error(`--suites takes consumer,ingest,e2e,soak,volume; got ${argv[i]}`);
      params.suites = names as BenchParams['suites'];
    } else throw new Error(`unknown option ${a}`);
  }
  return { params, keepStack, out };
}

/**
 * Arrival rates of the end-to-end benchmark: `e2eRate`, plus half of Herald's median ingest
 * throughput when that is below `e2eRate` (and `e2eAlsoSustainable` is on).
 */
export function e2eRates(params: BenchParams, ingest?: IngestRun[]): number[] {
  const h =
    ingest
      ?.filter((r) => r.side === 'herald')
      .map((r) => r.requestsPerSecond)
      .sort((a, b) => a - b) ?? [];
  const capacity = h.length ? h[Math.floor(h.length / 2)] : NaN;
  if (!params.e2eAlsoSustainable || !(capacity < params.e2eRate)) return [params.e2eRate];
  return [params.e2eRate, Math.max(5, Math.floor(capacity / 2))];
}

/** Adds the write-path goals (issue #12) to a summarized result, and their problems (lost notifications). */
function addWriteSummary(r: BenchResults): void {
  const w = summarizeWrite(r);
  r.summary.write = w.write;
  r.problems.push(...w.problems);
}

const log = (message: string): void => console.log(`[bench] ${message}`);

/**
 * `--rerender <results.json>`: rebuilds the summary, markdown and chart next to a raw results file
 * (after a change to the report code), without running anything.
 */
function rerender(file: string): number {
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResults;
  Object.assign(r, summarize(r.consumer, r.ingest, r.e2e, r.volume));
  addWriteSummary(r);
  const files = writeReports(r, path.resolve(file).replace(/\.json$/, ''));
  console.log(`\n${summaryTable(r).join('\n')}\n`);
  log(`wrote ${files.map((f) => path.relative(ROOT, f)).join(', ')}`);
  return r.problems.length ? 1 : 0;
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const at = process.argv.indexOf('--rerender');
  if (at > 0) return rerender(process.argv[at + 1] ?? '');
  const { params, keepStack, out } = parseArgs(process.argv.slice(2));
  log(`${params.mode}: ${JSON.stringify(params)}`);
  snapshotBuild();
  const servers: BenchServers = await benchServers();
  log(`servers: ${servers.kind} (Kafka ${servers.KAFKA_BROKERS}, MongoDB ${servers.mongoBase})`);
  const kafka = benchKafka(servers.KAFKA_BROKERS);
  const admin = kafka.admin();
  const client = new mongo.MongoClient(servers.mongoBase, { serverSelectionTimeoutMS: 10_000 });
  const release = async (): Promise<void> => {
    await admin.disconnect().catch(() => undefined);
    await client.close().catch(() => undefined);
    await servers.release(keepStack).catch((err: Error) => log(`could not stop the bench stack: ${err.message}`));
  };
  process.once('SIGINT', () => void release().finally(() => process.exit(130)));
  try {
    await admin.connect();
    await waitGroupCoordinator(admin);
    await client.connect();
    const ctx: SuiteContext = {
      params,
      servers,
      kafka,
      admin,
      mongo: client,
      log,
      jwtSecret: `bench-${randomBytes(16).toString('hex')}`,
      stamp: Date.now().toString(36),
    };
    const machine = machineInfo(servers.kind, servers.backend);
    let consumer: CatchUpResult | undefined;
    let ingest: IngestRun[] | undefined;
    let e2e: E2eRun[] | undefined;
    let volume: VolumeResult | undefined;
    if (params.suites.includes('consumer')) consumer = await consumerSuite(ctx);
    if (params.suites.includes('ingest')) ingest = await ingestSuite(ctx);
    if (params.suites.includes('e2e')) e2e = await e2eSuite(ctx, e2eRates(params, ingest));
    const soak: SoakResult | undefined =
      params.suites.includes('soak') && params.soakMinutes > 0 ? await soakSuite(ctx) : undefined;
    if (params.suites.includes('volume')) volume = await volumeSuite(ctx);
    const { summary, problems } = summarize(consumer, ingest, e2e, volume);
    if (machine.loadAverage) machine.loadAverage.end = os.loadavg().map((v) => Math.round(v * 100) / 100);
    const results: BenchResults = {
      params,
      machine,
      servers: servers.kind,
      consumer,
      ingest,
      e2e,
      volume,
      summary,
      problems,
      durationSeconds: (Date.now() - t0) / 1000,
    };
    results.soak = soak;
    addWriteSummary(results);
    const base = path.resolve(
      ROOT,
      out ?? (params.mode === 'smoke' ? path.join('bench', 'results', 'smoke') : path.join('docs', 'benchmarks')),
    );
    const files = writeReports(results, base);
    console.log(`\n${summaryTable(results).join('\n')}\n`);
    console.log(`${writeGoalsTable(results).join('\n')}\n`);
    for (const p of problems) log(`PROBLEM: ${p}`);
    log(
      `wrote ${files.map((f) => path.relative(ROOT, f)).join(', ')} in ${((Date.now() - t0) / 60000).toFixed(1)} min`,
    );
    return problems.length ? 1 : 0;
  } finally {
    await release();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('[bench] failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
