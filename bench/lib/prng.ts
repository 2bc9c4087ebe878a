/**
 * Seeded pseudo-random numbers for the benchmark's synthetic data: the same seed gives the same
 * data on every machine, so two runs (or two backends) measure the same inboxes.
 */

/** A generator of floats in [0, 1). */
export type Random = () => number;

/**
 * Mulberry32: a 32-bit state generator (public-domain algorithm by Tommy Ettinger). Fast and good
 * enough for test data; not for anything secret.
 */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export const pick = (random: Random, n: number): number => Math.floor(random() * n);

/** Fisher–Yates shuffle in place (uniform over permutations). */
export function shuffle<T extends { length: number; [i: number]: number }>(values: T, random: Random): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = pick(random, i + 1);
    const v = values[i];
    values[i] = values[j];
    values[j] = v;
  }
  return values;
}

/** A version-4-shaped UUID (RFC 9562 layout) drawn from `random`: deterministic event ids. */
export function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => pick(random, 16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + pick(random, 4)).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
