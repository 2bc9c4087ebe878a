import { CatchUpResult } from '../suites/consumer';
import type { SoakResult } from '../suites/soak';
import { sweepPassed } from '../suites/e2e';
import type { WriteSummary } from './write-summary';
import { BenchParams } from '../suites/context';
import { E2eRun } from '../suites/e2e';
import { IngestRun } from '../suites/ingest';
import type { VolumeResult } from '../suites/volume';
import { MachineInfo } from './machine';
import { median, ratio } from './stats';
import { summarizeVolume, VolumeRunSummary } from './volume-summary';

/** Goals from issue #8. */
export const GOALS = { consumerRatio: 0.8, e2eP99Ms: 50 } as const;

/** Medians and ratios of one invocation. */
export interface Summary {
  /** Write-path goals (issue #12), see bench/lib/write-summary.ts. */
  write?: WriteSummary;
  consumer?: {
    heraldPerSecond: number;
    baselinePerSecond: number;
    /** Median of the per-run Herald/baseline ratios (each pair measured in the same run). */
    ratio: number;
    runRatios: number[];
    heraldFirstStoredMs: number;
    baselineFirstStoredMs: number;
    /** Median CPU seconds per process, per side. */
    heraldCpu: Record<string, number>;
    baselineCpu: Record<string, number>;
    goalMet: boolean;
  };
  ingest?: {
    herald: { rps: number; p50: number; p99: number };
    baseline: { rps: number; p50: number; p99: number };
    ratio: number;
    runRatios: number[];
    heraldCpu: Record<string, number>;
    baselineCpu: Record<string, number>;
    failedRequests: number;
  };
  /**
   * One entry per kind and arrival rate: `sustained` runs meet the goal with p99 ≤ 50 ms and no
   * overload; `sweep` steps pass with p99 ≤ 100 ms, no overload and no loss.
   */
  e2e?: Array<{
    kind?: 'sustained' | 'sweep';
    rate: number;
    p50: number;
    p99: number;
    max: number;
    httpP99: number;
    achievedRate: number;
    overloadedRuns: number;
    missing: number;
    failedRequests: number;
    goalMet: boolean;
  }>;
  /** One entry per backend and size of the volume suite. */
  volume?: VolumeRunSummary[];
}

/** Everything one invocation produced (written as JSON). */
export interface BenchResults {
  params: BenchParams;
  machine: MachineInfo;
  servers: string;
  soak?: SoakResult;
  consumer?: CatchUpResult;
  ingest?: IngestRun[];
  e2e?: E2eRun[];
  volume?: VolumeResult;
  summary: Summary;
  /** Correctness problems (failed requests, missing notifications): they fail the command. */
  problems: string[];
  durationSeconds: number;
}

const medianCpu = (runs: Array<{ cpuSeconds: Record<string, number> }>): Record<string, number> => {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.cpuSeconds)))];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r.cpuSeconds[k]))]));
};

/** Per-run ratios: side A / side B of the same run number. */
function pairRatios<T extends { side: string; run: number }>(runs: T[], value: (r: T) => number): number[] {
  return runs
    .filter((r) => r.side === 'herald')
    .map((h) => {
      const b = runs.find((r) => r.side === 'baseline' && r.run === h.run);
      return b ? ratio(value(h), value(b)) : NaN;
    });
}

/** Medians, ratios, goals and correctness problems of the collected runs. */
export function summarize(
  consumer?: CatchUpResult,
  ingest?: IngestRun[],
  e2e?: E2eRun[],
  volume?: VolumeResult,
): { summary: Summary; problems: string[] } {
  const summary: Summary = {};
  const problems: string[] = [];
  if (consumer) {
    const h = consumer.runs.filter((r) => r.side === 'herald');
    const b = consumer.runs.filter((r) => r.side === 'baseline');
    const runRatios = pairRatios(consumer.runs, (r) => r.perSecond);
    summary.consumer = {
      heraldPerSecond: median(h.map((r) => r.perSecond)),
      baselinePerSecond: median(b.map((r) => r.perSecond)),
      ratio: median(runRatios),
      runRatios,
      heraldFirstStoredMs: median(h.map((r) => r.firstStoredMs)),
      baselineFirstStoredMs: median(b.map((r) => r.firstStoredMs)),
      heraldCpu: medianCpu(h),
      baselineCpu: medianCpu(b),
      goalMet: median(runRatios) >= GOALS.consumerRatio,
    };
  }
  if (ingest) {
    const side = (s: string) => ingest.filter((r) => r.side === s);
    const figures = (runs: IngestRun[]) => ({
      rps: median(runs.map((r) => r.requestsPerSecond)),
      p50: median(runs.map((r) => r.latencyP50Ms)),
      p99: median(runs.map((r) => r.latencyP99Ms)),
    });
    const runRatios = pairRatios(ingest, (r) => r.requestsPerSecond);
    // autocannon's `errors` already include its `timeouts`.
    const failed = ingest.reduce((n, r) => n + r.non2xx + r.errors, 0);
    summary.ingest = {
      herald: figures(side('herald')),
      baseline: figures(side('baseline')),
      ratio: median(runRatios),
      runRatios,
      heraldCpu: medianCpu(side('herald')),
      baselineCpu: medianCpu(side('baseline')),
      failedRequests: failed,
    };
    for (const r of ingest) {
      if (r.non2xx + r.errors > 0)
        problems.push(
          `ingest run ${r.run} ${r.side}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} of them timeouts after 10 s)`,
        );
    }
  }
  if (e2e) {
    const groups = [...new Set(e2e.map((r) => `${r.kind ?? 'sustained'} ${r.rate}`))].map(
      (k) => k.split(' ') as ['sustained' | 'sweep', string],
    );
    summary.e2e = groups.map(([kind, rateText]) => {
      const rate = Number(rateText);
      const runs = e2e.filter((r) => (r.kind ?? 'sustained') === kind && r.rate === rate);
      const p99 = median(runs.map((r) => r.p99Ms));
      return {
        kind,
        rate,
        p50: median(runs.map((r) => r.p50Ms)),
        p99,
        max: median(runs.map((r) => r.maxMs)),
        httpP99: median(runs.map((r) => r.httpP99Ms)),
        achievedRate: median(runs.map((r) => r.achievedRate)),
        overloadedRuns: runs.filter((r) => r.overloaded).length,
        missing: runs.reduce((n, r) => n + Math.max(0, r.expected - r.received), 0),
        failedRequests: runs.reduce((n, r) => n + r.non2xx + r.errors, 0),
        goalMet: kind === 'sweep' ? runs.every(sweepPassed) : p99 <= GOALS.e2eP99Ms && !runs.some((r) => r.overloaded),
      };
    });
    for (const r of e2e) {
      const at = `e2e ${r.kind === 'sweep' ? 'sweep ' : ''}${r.rate}/s run ${r.run}`;
      if (r.non2xx + r.errors > 0) problems.push(`${at}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      if (r.received < r.expected)
        problems.push(
          `${at}: ${r.expected - r.received} of ${r.expected} notifications not seen (none arrived for 15 s)`,
        );
      if (r.stored !== undefined && r.storedExpected !== undefined && r.stored < r.storedExpected)
        problems.push(
          `${at}: ${r.storedExpected - r.stored} of ${r.storedExpected} notifications not stored (database)`,
        );
    }
  }
  if (volume) {
    const v = summarizeVolume(volume);
    summary.volume = v.summary;
    problems.push(...v.problems);
  }
  return { summary, problems };
}
