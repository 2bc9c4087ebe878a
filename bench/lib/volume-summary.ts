import type { VolumeEndpointName, VolumeResult } from '../suites/volume';
import { ratio } from './stats';

/** Goals of issue #18 (volume): each endpoint's p99, and the database's idle CPU. */
export const VOLUME_GOALS = {
  /** p99 of every endpoint at the goal size (ms), on every backend measured; the moonshot asks the same at every size. */
  p99Ms: 50,
  goalSize: 100_000,
  /** Database CPU with the data loaded and the apps idle, % of one core. */
  idleCpuPct: 2,
} as const;

/** One endpoint's figures at one backend and size, with its goal and ratios. */
export interface VolumeEndpointSummary {
  name: VolumeEndpointName;
  p50: number;
  p99: number;
  /** p99 of the requests for the heaviest 1 % of inboxes, and for everyone else. */
  heavyP99: number;
  othersP99: number;
  requests: number;
  planned: number;
  timeCapped: boolean;
  failed: number;
  /** p99 ≤ 50 ms. */
  p99Met: boolean;
  /** p99 / p99 of the same endpoint and backend at the smallest size measured ("flat with volume" = 1). */
  vsSmallest: number;
  /** p99 / p99 of the same endpoint and size on the first backend measured. */
  vsFirstBackend: number;
}

/** Summary of one backend at one size. */
export interface VolumeRunSummary {
  backend: string;
  size: number;
  loadedNotifications: number;
  partialLoad: boolean;
  loadDocsPerSecond: number;
  endpoints: VolumeEndpointSummary[];
  /** Every endpoint's p99 ≤ 50 ms (and all of them measured). */
  allP99Met: boolean;
  /** How the 50 ms is read here: `goal` (at 100,000), `moonshot` (larger sizes), `reference` (smaller sizes). */
  goalKind: 'goal' | 'moonshot' | 'reference';
  idleDbPct: number;
  idleMet: boolean;
  diskBytes: number;
  error?: string;
  unavailable?: boolean;
}

/**
 * Per backend and size: each endpoint's p50/p99 and whether p99 ≤ 50 ms; ratios to the same query
 * at the smallest size (flat with volume) and on the first backend; idle CPU against ≤ 2 % of a
 * core. Failed requests and failed runs are returned as problems (an unavailable backend is not).
 */
export function summarizeVolume(v: VolumeResult): { summary: VolumeRunSummary[]; problems: string[] } {
  const problems: string[] = [];
  const smallest = Math.min(...v.runs.map((r) => r.size));
  const firstBackend = v.runs[0]?.backend;
  const p99Of = (backend: string, size: number, name: string): number =>
    v.runs.find((r) => r.backend === backend && r.size === size)?.endpoints.find((e) => e.name === name)?.p99Ms ?? NaN;
  const summary = v.runs.map((r): VolumeRunSummary => {
    const endpoints = r.endpoints.map((e): VolumeEndpointSummary => ({
      name: e.name,
      p50: e.p50Ms,
      p99: e.p99Ms,
      heavyP99: e.groups?.heavy?.p99Ms ?? NaN,
      othersP99: e.groups?.others?.p99Ms ?? NaN,
      requests: e.requests,
      planned: e.planned,
      timeCapped: e.timeCapped,
      failed: e.non2xx + e.errors,
      p99Met: e.p99Ms <= VOLUME_GOALS.p99Ms && e.requests > 0,
      vsSmallest: r.size === smallest ? NaN : ratio(e.p99Ms, p99Of(r.backend, smallest, e.name)),
      vsFirstBackend: r.backend === firstBackend ? NaN : ratio(e.p99Ms, p99Of(firstBackend, r.size, e.name)),
    }));
    for (const e of r.endpoints) {
      if (e.non2xx + e.errors > 0)
        problems.push(
          `volume ${r.backend} ${r.size} ${e.name}: ${e.non2xx} non-2xx, ${e.errors} errors (first: ${e.firstFailure})`,
        );
    }
    if (r.error && !r.unavailable) problems.push(`volume ${r.backend} ${r.size}: ${r.error}`);
    return {
      backend: r.backend,
      size: r.size,
      loadedNotifications: r.loaded.notifications,
      partialLoad: r.partialLoad,
      loadDocsPerSecond: r.loadDocsPerSecond,
      endpoints,
      allP99Met: endpoints.length > 0 && endpoints.every((e) => e.p99Met),
      goalKind: r.size < VOLUME_GOALS.goalSize ? 'reference' : r.size === VOLUME_GOALS.goalSize ? 'goal' : 'moonshot',
      idleDbPct: r.idle.databasePctOfCore,
      idleMet: r.idle.databasePctOfCore <= VOLUME_GOALS.idleCpuPct,
      diskBytes: r.disk.totalBytes,
      error: r.error,
      unavailable: r.unavailable,
    };
  });
  return { summary, problems };
}
