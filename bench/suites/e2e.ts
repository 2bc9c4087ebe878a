import { Consumer } from 'kafkajs';
import { Topics } from '@herald/contracts';
import { NOTIFICATIONS_GROUP_ID } from '@herald/kafka';
import { resetTopics, waitGroupAssigned } from '../lib/kafka';
import { LoadResult, openLoop } from '../lib/load';
import { appEntry, Child, freePort, startNode, waitHttp } from '../lib/procs';
import { percentile } from '../lib/stats';
import { signToken } from '../lib/token';
import { deleteGroup, freshDb, heraldEnv, SuiteContext } from './context';

/** One end-to-end run: latency from POST due to `notification.created` received. */
export interface E2eRun {
  run: number;
  rate: number;
  seconds: number;
  messages: number;
  /** Notifications expected (2 per accepted message) and received. */
  expected: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** HTTP response latency of the POSTs, from their due time. */
  httpP50Ms: number;
  httpP99Ms: number;
  non2xx: number;
  errors: number;
  /** Accepted messages per second over the run (first due → last answer). */
  achievedRate: number;
  /** The server fell behind (more than MAX_OUTSTANDING unanswered): sending stopped early. */
  overloaded: boolean;
  /** Requests not sent because of that, and when sending stopped (s after the start). */
  notSent: number;
  stoppedAfterS: number;
}

/** Unanswered requests at which a run counts as overloaded and stops sending. */
export const MAX_OUTSTANDING = 1000;
/** Warm-up rate cap (messages/s): warms connections and JIT without overloading a slow server. */
const WARMUP_RATE = 20;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const BODY_TAG = /^e2e (\S+) (\d+) /;

/**
 * Listens to `notification.created` (published by the notifications app after it stored a
 * notification) in its own group and records, per message tag, when each notification arrived.
 */
async function listen(ctx: SuiteContext, run: number): Promise<{ consumer: Consumer; arrivals: Map<string, number[]> }> {
  const arrivals = new Map<string, number[]>();
  const groupId = `bench-e2e-${ctx.stamp}-${run}`;
  const consumer = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.NotificationCreated, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const at = performance.now();
      for (const m of batch.messages) {
        const preview = (JSON.parse(m.value?.toString() ?? '{}') as { data?: { preview?: string } }).data?.preview ?? '';
        const tag = BODY_TAG.exec(preview);
        if (!tag) continue;
        const key = `${tag[1]} ${tag[2]}`;
        arrivals.set(key, [...(arrivals.get(key) ?? []), at]);
      }
    },
  });
  await waitGroupAssigned(ctx.admin, groupId);
  return { consumer, arrivals };
}

/** Waits until `expected` arrivals with tag `phase` are recorded, or `timeoutMs` passes. */
async function waitArrivals(arrivals: Map<string, number[]>, phase: string, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const count = (): number => [...arrivals.entries()].filter(([k]) => k.startsWith(`${phase} `)).reduce((n, [, v]) => n + v.length, 0);
  while (count() < expected && Date.now() < deadline) await sleep(100);
  return count();
}

async function e2eOnce(ctx: SuiteContext, run: number, rate: number): Promise<E2eRun> {
  const { e2eSeconds: seconds, e2eWarmupSeconds } = ctx.params;
  const db = `bench_e2e_${run}`;
  await freshDb(ctx, db);
  await deleteGroup(ctx.admin, NOTIFICATIONS_GROUP_ID);
  const [mPort, nPort] = [await freePort(), await freePort()];
  const apps: Child[] = [];
  const { consumer, arrivals } = await listen(ctx, run);
  try {
    apps.push(startNode({ name: 'notifications', script: appEntry('notifications'), logName: `e2e-notifications-${run}-${ctx.stamp}`,
      env: heraldEnv(ctx, db, { NOTIFICATIONS_PORT: String(nPort) }) }));
    apps.push(startNode({ name: 'messages', script: appEntry('messages'), logName: `e2e-messages-${run}-${ctx.stamp}`,
      env: heraldEnv(ctx, db, { MESSAGES_PORT: String(mPort) }) }));
    await waitHttp(`http://127.0.0.1:${nPort}/api/v1/notifications`, apps[0]);
    await waitHttp(`http://127.0.0.1:${mPort}/api/v1/messages`, apps[1]);
    await waitGroupAssigned(ctx.admin, NOTIFICATIONS_GROUP_ID);
    const url = `http://127.0.0.1:${mPort}/api/v1/messages`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${signToken('user-0000', ctx.jwtSecret)}` };
    const load = (phase: string, perSecond: number, secs: number): Promise<LoadResult> => openLoop({
      url, headers, rate: perSecond, seconds: secs, maxOutstanding: MAX_OUTSTANDING,
      body: (seq) => JSON.stringify({ recipientIds: ['user-0001', 'user-0002'], body: `e2e ${phase} ${seq} lunch at noon? Bring the slides.` }),
    });
    if (e2eWarmupSeconds > 0) {
      const warm = await load(`warmup${run}`, Math.min(rate, WARMUP_RATE), e2eWarmupSeconds);
      await waitArrivals(arrivals, `warmup${run}`, 2 * warm.sent.length, 30_000);
    }
    const phase = `measure${run}`;
    const { sent, notSent, stoppedAfterS } = await load(phase, rate, seconds);
    const ok = sent.filter((s) => s.status >= 200 && s.status < 300);
    const received = await waitArrivals(arrivals, phase, 2 * ok.length, 30_000);
    const latencies = ok.flatMap((s) => (arrivals.get(`${phase} ${s.seq}`) ?? []).map((at) => at - s.dueAt));
    const http = ok.map((s) => s.doneAt - s.dueAt);
    const window = Math.max(...ok.map((s) => s.doneAt)) - (sent[0]?.dueAt ?? 0);
    return {
      run, rate, seconds, messages: sent.length, expected: 2 * ok.length, received,
      p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: percentile(latencies, 100),
      httpP50Ms: percentile(http, 50), httpP99Ms: percentile(http, 99),
      non2xx: sent.filter((s) => s.status !== 0 && (s.status < 200 || s.status >= 300)).length,
      errors: sent.filter((s) => s.error).length,
      achievedRate: ok.length / (window / 1000), overloaded: notSent > 0, notSent, stoppedAfterS,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    for (const app of apps.reverse()) await app.stop();
    await ctx.mongo.db(db).dropDatabase().catch(() => undefined);
  }
}

/**
 * End-to-end latency: both compiled apps on a fresh database and empty topics; an open-loop load of
 * `rate` messages/s for `e2eSeconds` s (after a gentle warm-up) to `POST /api/v1/messages`; each
 * notification's latency is from its POST's due time to the arrival of its `notification.created`
 * record (published by the notifications app right after storing, so the notification is visible).
 * `runs` runs per rate; a run whose server falls {@link MAX_OUTSTANDING} requests behind stops
 * sending early and is marked overloaded.
 */
export async function e2eSuite(ctx: SuiteContext, rates: number[]): Promise<E2eRun[]> {
  const { runs, e2eSeconds, partitions } = ctx.params;
  await resetTopics(ctx.admin, partitions, [NOTIFICATIONS_GROUP_ID]);
  const results: E2eRun[] = [];
  let n = 0;
  for (const rate of rates) {
    ctx.log(`end-to-end latency: ${rate} messages/s for ${e2eSeconds} s per run`);
    for (let run = 1; run <= runs; run++) {
      const r = await e2eOnce(ctx, ++n, rate);
      results.push({ ...r, run });
      ctx.log(`  run ${run} p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  max ${r.maxMs.toFixed(1)} ms  received ${r.received}/${r.expected}  ` +
        `achieved ${r.achievedRate.toFixed(0)}/s  non-2xx ${r.non2xx}  errors ${r.errors}${r.overloaded ? `  OVERLOADED: stopped after ${r.stoppedAfterS.toFixed(1)} s, ${r.notSent} not sent` : ''}`);
    }
  }
  return results;
}
