import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where push latencies seen by tests are kept (one entry per test, replaced on each run). */
export const LATENCY_REPORT = join(resolve(__dirname, '..', '..'), 'reports', 'push-latency.json');

/** p50 / p95 / max / count of `samples` (ms), rounded. */
export function summarize(samples: number[]): { count: number; p50: number; p95: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN);
  return { count: s.length, p50: at(0.5), p95: at(0.95), max: Math.round(s.at(-1) ?? NaN) };
}

/**
 * Records the push latencies (ms) one test saw into {@link LATENCY_REPORT}, under `name`, with what
 * they measure. Figures for the notes, never asserted (see the quality bar: no timed assertions).
 */
export function reportLatency(name: string, what: string, samples: number[]): void {
  mkdirSync(join(LATENCY_REPORT, '..'), { recursive: true });
  const all = existsSync(LATENCY_REPORT)
    ? (JSON.parse(readFileSync(LATENCY_REPORT, 'utf8')) as Record<string, unknown>)
    : {};
  all[name] = { what, ...summarize(samples), at: new Date().toISOString() };
  writeFileSync(LATENCY_REPORT, `${JSON.stringify(all, null, 2)}\n`);
}
