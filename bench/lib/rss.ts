import fs from 'node:fs';

/**
 * Resident set size of a process in MB (MiB: 2^20 bytes), from the `VmRSS` line of
 * `/proc/<pid>/status` (reported in kB; see proc(5), "/proc/pid/status").
 * @returns NaN when the process or procfs is unavailable
 */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** One RSS sample: seconds since the sampler started, MB per named process. */
export interface RssSample {
  tS: number;
  mb: Record<string, number>;
}

/** Start, end and peak RSS of one process over a sampled period (MB). */
export interface RssFigures {
  startMb: number;
  endMb: number;
  maxMb: number;
}

/**
 * Samples the RSS of several processes every `intervalMs` (plus once at start and once at
 * {@link RssSampler.stop}), so memory under load is read from the processes themselves rather
 * than guessed from heap statistics.
 */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private readonly t0 = performance.now();
  private readonly timer: NodeJS.Timeout;

  /**
   * @param pids named processes to sample
   * @param intervalMs sampling period (ms)
   */
  constructor(
    private readonly pids: Record<string, number | undefined>,
    intervalMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const mb = Object.fromEntries(Object.entries(this.pids).map(([k, pid]) => [k, Math.round(rssMb(pid) * 10) / 10]));
    this.samples.push({ tS: Math.round((performance.now() - this.t0) / 100) / 10, mb });
  }

  /** Takes a last sample and stops; @returns all samples */
  stop(): RssSample[] {
    clearInterval(this.timer);
    this.sample();
    return this.samples;
  }
}

/** Start / end / max RSS (MB) of process `name` in `samples` (NaN when never sampled). */
export function rssFigures(samples: readonly RssSample[], name: string): RssFigures {
  const v = samples.map((s) => s.mb[name]).filter(Number.isFinite);
  return { startMb: v[0] ?? NaN, endMb: v[v.length - 1] ?? NaN, maxMb: v.length ? Math.max(...v) : NaN };
}

/**
 * Least-squares slope of process `name`'s RSS against time over the samples taken in the last
 * `windowMinutes` minutes, in MB per minute (positive = growing).
 * @returns NaN with fewer than 3 samples in the window
 */
export function rssSlopeMbPerMin(samples: readonly RssSample[], name: string, windowMinutes: number): number {
  if (samples.length === 0) return NaN;
  const from = samples[samples.length - 1].tS - windowMinutes * 60;
  const pts = samples
    .filter((s) => s.tS >= from && Number.isFinite(s.mb[name]))
    .map((s) => [s.tS / 60, s.mb[name]] as const);
  if (pts.length < 3) return NaN;
  const mx = pts.reduce((a, [x]) => a + x, 0) / pts.length;
  const my = pts.reduce((a, [, y]) => a + y, 0) / pts.length;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  return sxx > 0 ? sxy / sxx : NaN;
}

/**
 * Slope of the RSS *floor* of process `name` over the last `windowMinutes` minutes (MB/min): the
 * window is cut into `buckets` equal parts, the lowest sample of each (RSS right after a garbage
 * collection) is kept, and those are fitted by least squares. A leak raises the floor; the saw
 * tooth of V8's heap between collections (tens of MB under load) does not.
 * @returns NaN with fewer than 3 non-empty buckets
 */
export function rssFloorSlopeMbPerMin(
  samples: readonly RssSample[],
  name: string,
  windowMinutes: number,
  buckets = 8,
): number {
  if (samples.length === 0) return NaN;
  const end = samples[samples.length - 1].tS;
  const from = end - windowMinutes * 60;
  const width = (windowMinutes * 60) / buckets;
  const floors: RssSample[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = from + b * width;
    const inBucket = samples.filter(
      (s) => s.tS >= lo && (b === buckets - 1 ? s.tS <= end : s.tS < lo + width) && Number.isFinite(s.mb[name]),
    );
    if (inBucket.length) floors.push(inBucket.reduce((a, s) => (s.mb[name] < a.mb[name] ? s : a)));
  }
  return rssSlopeMbPerMin(floors, name, windowMinutes);
}
