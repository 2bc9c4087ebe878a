import type { CatchUpResult } from '../suites/consumer';
import type { BenchParams } from '../suites/context';
import { E2eRun, SWEEP_P99_MS, sweepPassed } from '../suites/e2e';
import type { IngestRun } from '../suites/ingest';
import type { SoakResult } from '../suites/soak';
import { FLAT_MB_PER_MIN } from '../suites/soak';
import { fmt, median, ratio } from './stats';

/** Write-path goals of issue #12 (ratios are Herald/baseline measured in the same invocation). */
export const WRITE_GOALS = {
  /** HTTP ingest at 50 connections with auth, validation, outbox and the acks=all producer on. */
  ingestRatio: 1.0,
  ingestMoonshot: 1.5,
  /** One connection, per POST (ms). */
  singleP50Ms: 5,
  singleP99Ms: 15,
  /** End to end (POST due → `notification.created` seen) at a sustained rate. */
  e2eRate: 200,
  e2eSeconds: 60,
  e2eP99Ms: 50,
  /** Highest rate whose p99 stays ≤ SWEEP_P99_MS: at least this (msg/s). */
  sweepRate: 500,
  /** Messages-app CPU per request (ms), from /proc/<pid>/stat. */
  cpuMsPerRequest: 1.5,
  /** Soak length (min) and the RSS slope under which memory is flat (MB/min). */
  soakMinutes: 10,
  flatMbPerMin: FLAT_MB_PER_MIN,
  consumerRatio: 1.0,
} as const;

/** One row of the goals table. */
export interface WriteGoal {
  goal: string;
  target: string;
  /** The figure, formatted for the report. */
  measured: string;
  /** Load the figure was measured at, e.g. `200 msg/s × 60 s`. */
  ranAt: string;
  /** undefined: informational row, no target. */
  met?: boolean;
  /** False when the run was smaller than the goal's load (smoke, a short check): the verdict is indicative only. */
  atGoalLoad: boolean;
}

/** Derived write-path figures and the goals table. */
export interface WriteSummary {
  goals: WriteGoal[];
  /** CPU ms per request of each side's process in the 50-connection and 1-connection ingest runs (medians). */
  ingestCpuMsPerRequest?: { herald: number; baseline: number; heraldSingle: number; baselineSingle: number };
  /** Highest passing sweep rate (msg/s), or NaN when none passed or there was no sweep. */
  highestPassingRate?: number;
}

const perRequestMs = (cpuSeconds: Record<string, number> | undefined, app: string, requests: number): number =>
  cpuSeconds && requests > 0 ? (cpuSeconds[app] * 1000) / requests : NaN;

/** CPU ms per accepted message of `app` in an e2e run (notifications app: per message, i.e. per 2 notifications). */
export function e2eCpuMsPerMessage(r: E2eRun, app: string): number {
  return perRequestMs(r.cpuSeconds, app, r.expected / 2);
}

/** CPU ms per 2xx request of the side's process, 50-connection and 1-connection runs. */
export function ingestCpuMs(r: IngestRun): { many: number; single: number } {
  return {
    many: perRequestMs(r.cpuSeconds, r.side, r.requests2xx),
    single: perRequestMs(r.single?.cpuSeconds, r.side, r.single?.requests2xx ?? 0),
  };
}

function ingestGoals(p: BenchParams, ingest: IngestRun[], out: WriteSummary): void {
  const side = (s: string): IngestRun[] => ingest.filter((r) => r.side === s);
  const runRatios = side('herald').map((h) =>
    ratio(h.requestsPerSecond, ingest.find((b) => b.side === 'baseline' && b.run === h.run)?.requestsPerSecond ?? NaN),
  );
  const r = median(runRatios);
  const failed = ingest.reduce((n, x) => n + x.non2xx + x.errors, 0);
  const rps = (s: string): number => median(side(s).map((x) => x.requestsPerSecond));
  const atLoad = `${p.ingestConnections} connections × ${p.ingestSeconds} s`;
  out.goals.push({
    goal: 'HTTP ingest throughput, Herald / baseline (auth, validation, outbox, acks=all producer on)',
    target: `≥ ${fmt(WRITE_GOALS.ingestRatio, 1)}× (moonshot ≥ ${fmt(WRITE_GOALS.ingestMoonshot, 1)}×: ${r >= WRITE_GOALS.ingestMoonshot ? 'reached' : 'not reached'})`,
    measured: `${fmt(r, 2)}× (${fmt(rps('herald'))} / ${fmt(rps('baseline'))} req/s${failed ? `, ${failed} failed requests` : ''})`,
    ranAt: atLoad,
    met: r >= WRITE_GOALS.ingestRatio && failed === 0,
    atGoalLoad: p.ingestConnections === 50,
  });
  const single = (s: string, f: (x: NonNullable<IngestRun['single']>) => number): number =>
    median(side(s).flatMap((x) => (x.single ? [f(x.single)] : [])));
  if (ingest.some((x) => x.single)) {
    const at = `1 connection × ${fmt(p.ingestSingleSeconds)} s`;
    const p50 = single('herald', (x) => x.latencyP50Ms);
    const p99 = single('herald', (x) => x.latencyP99Ms);
    out.goals.push({
      goal: 'One connection: latency per POST, p50',
      target: `≤ ${WRITE_GOALS.singleP50Ms} ms`,
      measured: `${fmt(p50, 1)} ms (baseline ${fmt(
        single('baseline', (x) => x.latencyP50Ms),
        1,
      )} ms)`,
      ranAt: at,
      met: p50 <= WRITE_GOALS.singleP50Ms,
      atGoalLoad: true,
    });
    out.goals.push({
      goal: 'One connection: latency per POST, p99',
      target: `≤ ${WRITE_GOALS.singleP99Ms} ms`,
      measured: `${fmt(p99, 1)} ms (baseline ${fmt(
        single('baseline', (x) => x.latencyP99Ms),
        1,
      )} ms)`,
      ranAt: at,
      met: p99 <= WRITE_GOALS.singleP99Ms,
      atGoalLoad: true,
    });
  }
  const cpu = (s: string, k: 'many' | 'single'): number => median(side(s).map((x) => ingestCpuMs(x)[k]));
  out.ingestCpuMsPerRequest = {
    herald: cpu('herald', 'many'),
    baseline: cpu('baseline', 'many'),
    heraldSingle: cpu('herald', 'single'),
    baselineSingle: cpu('baseline', 'single'),
  };
  const c = out.ingestCpuMsPerRequest;
  out.goals.push({
    goal: 'Messages-app CPU per request (user + system, /proc/<pid>/stat)',
    target: `≤ ${fmt(WRITE_GOALS.cpuMsPerRequest, 1)} ms`,
    measured: `${fmt(c.herald, 2)} ms (baseline ${fmt(c.baseline, 2)} ms)${Number.isFinite(c.heraldSingle) ? `; 1 connection: ${fmt(c.heraldSingle, 2)} ms (baseline ${fmt(c.baselineSingle, 2)} ms)` : ''}`,
    ranAt: atLoad,
    met: c.herald <= WRITE_GOALS.cpuMsPerRequest,
    atGoalLoad: p.ingestConnections === 50,
  });
}

function e2eGoals(p: BenchParams, e2e: E2eRun[], out: WriteSummary): void {
  const sustained = e2e.filter((r) => (r.kind ?? 'sustained') === 'sustained' && r.rate === p.e2eRate);
  if (sustained.length) {
    const p99 = median(sustained.map((r) => r.p99Ms));
    const overloaded = sustained.some((r) => r.overloaded);
    out.goals.push({
      goal: 'End to end (POST due → `notification.created` seen), p99',
      target: `≤ ${WRITE_GOALS.e2eP99Ms} ms at ${WRITE_GOALS.e2eRate} msg/s for ${WRITE_GOALS.e2eSeconds} s`,
      measured: `${fmt(p99, 1)} ms (p50 ${fmt(median(sustained.map((r) => r.p50Ms)), 1)} ms${overloaded ? ', overloaded' : ''})`,
      ranAt: `${fmt(p.e2eRate)} msg/s × ${fmt(p.e2eSeconds)} s, ${sustained[0].senders ?? 1} sender(s), ${sustained.length} run(s)`,
      met: p99 <= WRITE_GOALS.e2eP99Ms && !overloaded,
      atGoalLoad: p.e2eRate >= WRITE_GOALS.e2eRate && p.e2eSeconds >= WRITE_GOALS.e2eSeconds,
    });
    const n = (app: string): number => median(sustained.map((r) => e2eCpuMsPerMessage(r, app)));
    out.goals.push({
      goal: 'CPU per message end to end (both apps, /proc/<pid>/stat)',
      target: '(reported)',
      measured: `messages ${fmt(n('messages'), 2)} ms, notifications ${fmt(n('notifications'), 2)} ms`,
      ranAt: `${fmt(p.e2eRate)} msg/s`,
      atGoalLoad: true,
    });
  }
  const steps = e2e.filter((r) => r.kind === 'sweep');
  if (steps.length) {
    const passing = steps.filter(sweepPassed).map((r) => r.rate);
    const all = passing.length === steps.length && steps.length === p.e2eSweepRates.length;
    const best = passing.length ? Math.max(...passing) : NaN;
    out.highestPassingRate = best;
    const failedAt = steps.find((r) => !sweepPassed(r));
    out.goals.push({
      goal: `Highest rate whose end-to-end p99 stays ≤ ${SWEEP_P99_MS} ms`,
      target: `≥ ${WRITE_GOALS.sweepRate} msg/s`,
      measured: `${Number.isFinite(best) ? `${all ? '≥ ' : ''}${fmt(best)} msg/s` : 'none of the sweep rates'}${failedAt ? ` (${fmt(failedAt.rate)} msg/s: p99 ${fmt(failedAt.p99Ms, 0)} ms${failedAt.overloaded ? ', overloaded' : ''})` : ''}`,
      ranAt: `sweep ${p.e2eSweepRates.join(', ')} msg/s × ${fmt(p.e2eSweepSeconds)} s`,
      met: best >= WRITE_GOALS.sweepRate,
      atGoalLoad: p.e2eSweepSeconds >= 20,
    });
  }
}

function soakGoals(s: SoakResult, out: WriteSummary, problems: string[]): void {
  const apps = Object.entries(s.memory);
  const ranAt = `${fmt(s.rate)} msg/s × ${fmt(s.minutes, s.minutes < 1 ? 1 : 0)} min, RSS every ${s.sampleSeconds} s`;
  const atGoalLoad = s.minutes >= WRITE_GOALS.soakMinutes && s.rate >= WRITE_GOALS.e2eRate;
  out.goals.push({
    goal: `Memory: slope of the RSS floor (post-GC) over the soak's last ${fmt(s.slopeWindowMinutes, 1)} min`,
    target: `flat: within ±${WRITE_GOALS.flatMbPerMin} MB/min per app`,
    measured: apps
      .map(
        ([app, m]) =>
          `${app} ${fmt(m.floorSlopeMbPerMin ?? NaN, 2)} MB/min (all samples ${fmt(m.slopeMbPerMin, 2)}; ${fmt(m.startMb)} → ${fmt(m.endMb)} MB, max ${fmt(m.maxMb)}; heap floor ${fmt(m.heap?.floorSlopeMbPerMin ?? NaN, 2)} MB/min)`,
      )
      .join('; '),
    ranAt,
    met: apps.length > 0 && apps.every(([, m]) => m.flat),
    atGoalLoad,
  });
  const worst = Math.max(...s.perMinute.map((m) => m.p99Ms));
  const lost = s.expected - s.received;
  out.goals.push({
    goal: 'Soak: every notification arrives; end-to-end p99 per minute',
    target: 'no loss (p99 per minute reported)',
    measured: `${fmt(s.received)}/${fmt(s.expected)} notifications; p99 per minute ${s.perMinute.map((m) => fmt(m.p99Ms)).join(', ')} ms (worst ${fmt(worst)})`,
    ranAt,
    met: lost <= 0 && s.non2xx + s.errors === 0 && !s.overloaded,
    atGoalLoad,
  });
  if (lost > 0) problems.push(`soak: ${lost} of ${s.expected} notifications not seen (none arrived for 15 s)`);
  if (s.non2xx + s.errors > 0) problems.push(`soak: ${s.non2xx} non-2xx, ${s.errors} errors`);
}

function consumerGoal(c: CatchUpResult, out: WriteSummary): void {
  const runs = c.runs.filter((r) => !r.profiled);
  const runRatios = runs
    .filter((r) => r.side === 'herald')
    .map((h) => ratio(h.perSecond, runs.find((b) => b.side === 'baseline' && b.run === h.run)?.perSecond ?? NaN));
  const r = median(runRatios);
  const perEvent = (side: string): number =>
    median(runs.filter((x) => x.side === side).map((x) => (x.cpuSeconds[side] * 1000) / x.events));
  out.goals.push({
    goal: 'Consumer catch-up throughput, Herald / baseline',
    target: `≥ ${fmt(WRITE_GOALS.consumerRatio, 1)}×`,
    measured: `${fmt(r, 2)}×; CPU per message: Herald ${fmt(perEvent('herald'), 2)} ms, baseline ${fmt(perEvent('baseline'), 2)} ms`,
    ranAt: `${fmt(runs[0]?.events ?? NaN)} events`,
    met: r >= WRITE_GOALS.consumerRatio,
    atGoalLoad: (runs[0]?.events ?? 0) >= 100_000,
  });
}

/**
 * The goals table of issue #12 from one invocation's raw results, plus derived figures and the
 * correctness problems of the soak (lost notifications, failed requests).
 */
export function summarizeWrite(r: {
  params: BenchParams;
  consumer?: CatchUpResult;
  ingest?: IngestRun[];
  e2e?: E2eRun[];
  soak?: SoakResult;
}): { write: WriteSummary; problems: string[] } {
  const write: WriteSummary = { goals: [] };
  const problems: string[] = [];
  if (r.ingest?.length) ingestGoals(r.params, r.ingest, write);
  if (r.e2e?.length) e2eGoals(r.params, r.e2e, write);
  if (r.soak) soakGoals(r.soak, write, problems);
  if (r.consumer?.runs.length) consumerGoal(r.consumer, write);
  return { write, problems };
}
