import type { BenchParams } from './context';

/** Parameters of the write-path measurements (issue #12), part of {@link BenchParams}. */
export interface WriteParams {
  /** HTTP ingest: seconds of the extra 1-connection autocannon run per side (after the 50-connection one). */
  ingestSingleSeconds: number;
  /** End to end and soak: distinct senders (tokens, each with its own conversation), round-robin. */
  e2eSenders: number;
  /** End to end: rates (messages/s, ascending) of the sweep after the sustained runs; empty = no sweep. */
  e2eSweepRates: number[];
  /** End to end: seconds per sweep rate. */
  e2eSweepSeconds: number;
  /** Soak: minutes at `soakRate` (0 = skip the suite). */
  soakMinutes: number;
  /** Soak: messages/s. */
  soakRate: number;
  /** Soak: RSS sampling period of both apps (s). */
  soakSampleSeconds: number;
}

/**
 * Write-path preset values layered over the base preset of `mode`: end to end at 200 msg/s for
 * 60 s then a sweep 300…1000 msg/s (20 s each), a 10-minute soak at 200 msg/s (full); a short run
 * at a low rate, no sweep and an 18-s soak (smoke, run by CI: checks the machinery, not the goals). Keeps the base preset's suites and
 * adds `soak`.
 */
export function writePreset(base: Pick<BenchParams, 'mode' | 'suites'>): WriteParams & Partial<BenchParams> {
  const suites: BenchParams['suites'] = [...base.suites.filter((s) => s !== 'soak'), 'soak'];
  if (base.mode === 'smoke') {
    return {
      e2eRate: 100,
      e2eSeconds: 5,
      e2eAlsoSustainable: false,
      ingestSingleSeconds: 3,
      e2eSenders: 50,
      e2eSweepRates: [],
      e2eSweepSeconds: 5,
      soakMinutes: 0.3,
      soakRate: 50,
      soakSampleSeconds: 5,
      suites,
    };
  }
  return {
    e2eRate: 200,
    e2eSeconds: 60,
    e2eAlsoSustainable: false,
    ingestSingleSeconds: 10,
    e2eSenders: 50,
    e2eSweepRates: [300, 400, 500, 700, 1000],
    e2eSweepSeconds: 20,
    soakMinutes: 10,
    soakRate: 200,
    soakSampleSeconds: 10,
    suites,
  };
}

/**
 * Parses one write-path option at `argv[i]` into `params`.
 * Options: `--single-seconds 10`, `--e2e-senders 50`, `--sweep-rates 300,400,500` (`none` = no
 * sweep), `--sweep-seconds 20`, `--soak-minutes 10`, `--soak-rate 200`, `--soak-sample-seconds 10`.
 * @returns how many argv entries were consumed (0 when `argv[i]` is not a write-path option)
 * @throws Error on a bad number
 */
export function parseWriteArg(argv: string[], i: number, params: WriteParams): number {
  const num = (v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${argv[i]} needs a positive number, got ${v}`);
    return n;
  };
  const a = argv[i];
  const v = argv[i + 1];
  if (a === '--single-seconds') params.ingestSingleSeconds = num(v);
  else if (a === '--e2e-senders') params.e2eSenders = Math.round(num(v));
  else if (a === '--sweep-rates')
    params.e2eSweepRates =
      v === 'none'
        ? []
        : (v ?? '')
            .split(',')
            .map(num)
            .sort((x, y) => x - y);
  else if (a === '--sweep-seconds') params.e2eSweepSeconds = num(v);
  else if (a === '--soak-minutes') params.soakMinutes = num(v);
  else if (a === '--soak-rate') params.soakRate = num(v);
  else if (a === '--soak-sample-seconds') params.soakSampleSeconds = num(v);
  else return 0;
  return 2;
}
