import { RssFigures, rssFigures } from '../lib/rss';
import { percentile } from '../lib/stats';
import { AppPair, PhaseResult } from './app-pair';
import { SuiteContext } from './context';

export { MAX_OUTSTANDING } from './app-pair';

/** One end-to-end run: latency from POST due to `notification.created` received. */
export interface E2eRun {
  /**
   * `sustained`: a fresh pair of apps at the goal rate (`e2eRate`, `e2eSeconds`); `sweep`: one step
   * of the rate sweep (one pair of apps for the whole sweep). Absent in results of older versions
   * (read as `sustained`).
   */
  kind?: 'sustained' | 'sweep';
  run: number;
  rate: number;
  seconds: number;
  /** Distinct senders (each with its own conversation), round-robin. */
  senders?: number;
  messages: number;
  /** Notifications expected (2 per accepted message) and received. */
  expected: number;
  received: number;
  /** Pairs stored in the database and due, over the pair's phases so far (see PhaseResult.stored). */
  stored?: number;
  storedExpected?: number;
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
  /** CPU seconds per process (kafka, ferretdb, messages, notifications) over the run and its drain. */
  cpuSeconds?: Record<string, number>;
  /** RSS of each app (MB) sampled during the run. */
  rss?: Record<string, RssFigures>;
}

/** A sweep step passes when its p99 is at most this (ms), nothing was lost and it was not overloaded. */
export const SWEEP_P99_MS = 100;

/** Whether a sweep step passed (see {@link SWEEP_P99_MS}). */
export function sweepPassed(r: E2eRun): boolean {
  return r.p99Ms <= SWEEP_P99_MS && !r.overloaded && r.received >= r.expected && r.non2xx + r.errors === 0;
}

/** Turns a load phase into an {@link E2eRun}. */
export function toE2eRun(kind: E2eRun['kind'], run: number, senders: number, p: PhaseResult): E2eRun {
  const ms = p.latencies.map((l) => l.ms);
  const rss = Object.fromEntries(['messages', 'notifications'].map((app) => [app, rssFigures(p.rss, app)]));
  return {
    kind,
    run,
    rate: p.rate,
    seconds: p.seconds,
    senders,
    messages: p.sent.length,
    expected: p.expected,
    received: p.received,
    stored: p.stored,
    storedExpected: p.storedExpected,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
    maxMs: percentile(ms, 100),
    httpP50Ms: percentile(p.httpMs, 50),
    httpP99Ms: percentile(p.httpMs, 99),
    non2xx: p.non2xx,
    errors: p.errors,
    achievedRate: p.achievedRate,
    overloaded: p.notSent > 0,
    notSent: p.notSent,
    stoppedAfterS: p.stoppedAfterS,
    cpuSeconds: p.cpuSeconds,
    rss,
  };
}

function logRun(ctx: SuiteContext, label: string, r: E2eRun): void {
  ctx.log(
    `  ${label} p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  max ${r.maxMs.toFixed(1)} ms  received ${r.received}/${r.expected}  stored ${r.stored}/${r.storedExpected}  ` +
      `achieved ${r.achievedRate.toFixed(0)}/s  non-2xx ${r.non2xx}  errors ${r.errors}${r.overloaded ? `  OVERLOADED: stopped after ${r.stoppedAfterS.toFixed(1)} s, ${r.notSent} not sent` : ''}`,
  );
}

/**
 * End-to-end latency: both compiled apps on a fresh database; an open-loop load of `rate`
 * messages/s for `e2eSeconds` s (after a gentle warm-up) from `e2eSenders` senders round-robin to
 * `POST /api/v1/messages`; each notification's latency is from its POST's due time to the arrival
 * of its `notification.created` record (published by the notifications app right after storing,
 * so the notification is visible). `runs` runs per rate, each on fresh apps. Then, when
 * `e2eSweepRates` is not empty, one pair of apps takes each sweep rate for `e2eSweepSeconds` s in
 * ascending order, stopping after the first step that fails {@link sweepPassed}. A run whose
 * server falls {@link MAX_OUTSTANDING} requests behind stops sending early and is overloaded.
 */
export async function e2eSuite(ctx: SuiteContext, rates: number[]): Promise<E2eRun[]> {
  const { runs, e2eSeconds, e2eWarmupSeconds, e2eSenders: senders, e2eSweepRates, e2eSweepSeconds } = ctx.params;
  const results: E2eRun[] = [];
  let n = 0;
  for (const rate of rates) {
    ctx.log(`end-to-end latency: ${rate} messages/s for ${e2eSeconds} s per run, ${senders} senders`);
    for (let run = 1; run <= runs; run++) {
      const pair = await AppPair.start(ctx, `e2e-${++n}`, `bench_e2e_${n}`);
      try {
        await pair.warmUp(`warmup${n}`, rate, e2eWarmupSeconds, senders);
        const r = toE2eRun('sustained', run, senders, await pair.load(`measure${n}`, rate, e2eSeconds, senders));
        results.push(r);
        logRun(ctx, `run ${run}`, r);
      } finally {
        await pair.stop();
      }
    }
  }
  if (e2eSweepRates.length === 0) return results;
  ctx.log(
    `end-to-end rate sweep: ${e2eSweepRates.join(', ')} messages/s, ${e2eSweepSeconds} s each, until p99 > ${SWEEP_P99_MS} ms or overload`,
  );
  const pair = await AppPair.start(ctx, 'e2e-sweep', 'bench_e2e_sweep');
  try {
    await pair.warmUp('sweepwarmup', e2eSweepRates[0], e2eWarmupSeconds, senders);
    for (const rate of e2eSweepRates) {
      const r = toE2eRun('sweep', 1, senders, await pair.load(`sweep${rate}`, rate, e2eSweepSeconds, senders));
      results.push(r);
      logRun(ctx, `${rate}/s`, r);
      if (!sweepPassed(r)) break;
    }
  } finally {
    await pair.stop();
  }
  return results;
}
