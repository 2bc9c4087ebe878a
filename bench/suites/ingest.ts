import autocannon from 'autocannon';
import { appEntry, Child, freePort, startNode, waitHttp } from '../lib/procs';
import { databasePids } from '../lib/backend';
import { CpuMeter, serverPids } from '../lib/cpu';
import { RssFigures, rssFigures, RssSampler } from '../lib/rss';
import { signToken } from '../lib/token';
import { CONVERSATIONS_GROUP_ID } from '../../apps/messages/src/messages.settings';
import { emptyTopics, freshDb, heraldEnv, SuiteContext } from './context';

/** One autocannon run against one side. */
export interface IngestRun {
  side: 'herald' | 'baseline';
  run: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  requests2xx: number;
  non2xx: number;
  /** Failed requests (autocannon counts timeouts, 10 s, among them). */
  errors: number;
  timeouts: number;
  /** Messages in the database afterwards (warm-up included): proves the writes happened. */
  stored: number;
  cpuSeconds: Record<string, number>;
  /**
   * The 1-connection run right after (same process, warm): one request at a time, so its latency
   * is a single POST's cost. autocannon's latencies have 1 ms resolution.
   */
  single?: SingleConnectionRun;
  /** RSS (MB) of the side's process, sampled every 5 s over warm-up and both runs. */
  rss?: RssFigures;
}

/** The 1-connection autocannon run of one side (see {@link IngestRun.single}). */
export interface SingleConnectionRun {
  seconds: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  requests2xx: number;
  non2xx: number;
  errors: number;
  cpuSeconds: Record<string, number>;
}

/** Body of every request: two recipients, a realistic short text. */
const BODY = JSON.stringify({
  recipientIds: ['user-0001', 'user-0002'],
  body: 'Lunch at noon? Bring the quarterly numbers and the slides.',
});

function fire(url: string, token: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: BODY,
    timeout: 10,
  });
}

/**
 * PostgreSQL's postmaster when the bench stack's FerretDB stores in it (its backends' CPU is counted
 * as `postgres`, next to `ferretdb`), else nothing.
 */
function postgresTree(ctx: SuiteContext): Record<string, number> {
  return ctx.servers.backend === 'postgresql' ? { postgres: databasePids('postgresql').postgres } : {};
}

/** One connection for `seconds` s against a warm server; CPU seconds of the servers and of the side's process `pid`. */
async function singleConnection(
  ctx: SuiteContext,
  url: string,
  token: string,
  seconds: number,
  side: IngestRun['side'],
  pid: number | undefined,
): Promise<SingleConnectionRun> {
  const cpu = new CpuMeter({ ...serverPids(), [side]: pid }, postgresTree(ctx));
  const r = await fire(url, token, 1, seconds);
  return {
    seconds,
    requestsPerSecond: r.requests.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMaxMs: r.latency.max,
    requests2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    cpuSeconds: cpu.stop(),
  };
}

/** Starts one side's HTTP server on a fresh database and runs warm-up + measured autocannon. */
async function ingestOnce(ctx: SuiteContext, side: IngestRun['side'], run: number): Promise<IngestRun> {
  const { ingestConnections, ingestSeconds, ingestWarmupSeconds } = ctx.params;
  const db = `bench_ingest_${side}_${run}`;
  await freshDb(ctx, db);
  // Both sides start on empty topics; Herald's projection (group `conversations`) then reads only
  // what this run sends.
  await emptyTopics(ctx, [CONVERSATIONS_GROUP_ID]);
  const port = await freePort();
  const logName = `ingest-${side}-${run}-${ctx.stamp}`;
  const child: Child =
    side === 'herald'
      ? startNode({
          name: 'messages',
          script: appEntry('messages'),
          logName,
          env: heraldEnv(ctx, db, { MESSAGES_PORT: String(port) }),
        })
      : startNode({
          name: 'baseline-ingest',
          script: 'bench/baseline/ingest-server.ts',
          logName,
          env: {
            PORT: String(port),
            KAFKA_BROKERS: ctx.servers.KAFKA_BROKERS,
            MONGODB_URI: `${ctx.servers.mongoBase}/${db}`,
          },
        });
  try {
    const url = `http://127.0.0.1:${port}/api/v1/messages`;
    await waitHttp(url, child);
    const token = signToken('user-0000', ctx.jwtSecret);
    const rss = new RssSampler({ [side]: child.proc.pid }, 5000);
    if (ingestWarmupSeconds > 0) await fire(url, token, ingestConnections, ingestWarmupSeconds);
    const cpu = new CpuMeter({ ...serverPids(), [side]: child.proc.pid }, postgresTree(ctx));
    const r = await fire(url, token, ingestConnections, ingestSeconds);
    const cpuSeconds = cpu.stop();
    const single =
      ctx.params.ingestSingleSeconds > 0
        ? await singleConnection(ctx, url, token, ctx.params.ingestSingleSeconds, side, child.proc.pid)
        : undefined;
    const rssMb = rssFigures(rss.stop(), side);
    const stored = await ctx.mongo.db(db).collection('messages').countDocuments();
    return {
      side,
      run,
      requestsPerSecond: r.requests.average,
      latencyP50Ms: r.latency.p50,
      latencyP99Ms: r.latency.p99,
      latencyMaxMs: r.latency.max,
      requests2xx: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      stored,
      cpuSeconds,
      ...(single ? { single } : {}),
      rss: rssMb,
    };
  } finally {
    await child.stop();
    await ctx.mongo
      .db(db)
      .dropDatabase()
      .catch(() => undefined);
  }
}

/**
 * HTTP ingest: autocannon (`ingestConnections` connections, `ingestSeconds` s after a warm-up)
 * against `POST /api/v1/messages` of the compiled messages app (HS256 token, two recipients), and
 * against the bare Fastify baseline on the same Kafka and MongoDB server, alternating which goes
 * first per run, each on a fresh database and empty topics ({@link emptyTopics}); then, on the same warm process, `ingestSingleSeconds` s
 * with one connection (a single POST's latency). RSS of the side's process sampled meanwhile.
 */
export async function ingestSuite(ctx: SuiteContext): Promise<IngestRun[]> {
  const { runs, ingestConnections, ingestSeconds } = ctx.params;
  ctx.log(`HTTP ingest: ${ingestConnections} connections, ${ingestSeconds} s per run`);
  const results: IngestRun[] = [];
  for (let run = 1; run <= runs; run++) {
    const order: Array<IngestRun['side']> = run % 2 ? ['herald', 'baseline'] : ['baseline', 'herald'];
    for (const side of order) {
      const r = await ingestOnce(ctx, side, run);
      results.push(r);
      ctx.log(
        `  run ${run} ${side.padEnd(8)} ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${r.latencyP50Ms} ms  p99 ${r.latencyP99Ms} ms  non-2xx ${r.non2xx}  errors ${r.errors} (timeouts ${r.timeouts})`,
      );
      if (r.single)
        ctx.log(
          `        1 connection: ${r.single.requestsPerSecond.toFixed(0)} req/s  p50 ${r.single.latencyP50Ms} ms  p99 ${r.single.latencyP99Ms} ms  non-2xx ${r.single.non2xx}  errors ${r.single.errors}`,
        );
    }
  }
  return results;
}
