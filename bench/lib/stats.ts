/** Small statistics helpers of the benchmark (no dependencies). */

/**
 * Median of the finite numbers in `values` (mean of the two middle ones for an even count).
 * @returns NaN when there is no finite value
 */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Percentile by the nearest-rank method on a sorted copy of `values`.
 * @param p 0..100 (100 gives the maximum)
 * @returns NaN for an empty input
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const rank = Math.min(v.length, Math.max(1, Math.ceil((p / 100) * v.length)));
  return v[rank - 1];
}

/** Rounds to `digits` decimals (for reports; keeps NaN). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * a / b, or NaN when either is not a positive finite number.
 */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN;
}

/** Formats a number for tables: thousands separators, `digits` decimals, `–` for NaN. */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
