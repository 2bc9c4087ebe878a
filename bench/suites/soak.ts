import { RssFigures, rssFigures, rssFloorSlopeMbPerMin, RssSample, rssSlopeMbPerMin } from '../lib/rss';
import { percentile } from '../lib/stats';
import { AppPair } from './app-pair';
import { SuiteContext } from './context';

/** RSS growth below which an app counts as flat over the soak's slope window (MB per minute). */
export const FLAT_MB_PER_MIN = 1;
/** The slope is fitted over the last this-many minutes (or the last 80 % of a shorter soak). */
export const SLOPE_WINDOW_MINUTES = 8;

/** End-to-end latency of the messages due in one minute of the soak. */
export interface SoakMinute {
  /** 1-based minute of the soak (the last one may be partial). */
  minute: number;
  notifications: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One app's memory over the soak. */
export interface SoakMemory extends RssFigures {
  /** Least-squares slope of every RSS sample over the last {@link SoakResult.slopeWindowMinutes} minutes (MB/min). */
  slopeMbPerMin: number;
  /** Same fit over the lowest sample of each eighth of that window (the post-GC floor; see rssFloorSlopeMbPerMin). */
  floorSlopeMbPerMin: number;
  /** |floor slope| < {@link FLAT_MB_PER_MIN}. */
  flat: boolean;
  /** V8 heap in use (the app's `/metrics`): start, end, peak (MB) and the slope of its floor (MB/min). */
  heap?: RssFigures & { floorSlopeMbPerMin: number };
}

/** Result of the soak suite. */
export interface SoakResult {
  rate: number;
  minutes: number;
  senders: number;
  sampleSeconds: number;
  slopeWindowMinutes: number;
  messages: number;
  accepted: number;
  /** Notifications expected (2 per accepted message) and received. */
  expected: number;
  received: number;
  non2xx: number;
  errors: number;
  overloaded: boolean;
  notSent: number;
  achievedRate: number;
  p99Ms: number;
  perMinute: SoakMinute[];
  memory: Record<string, SoakMemory>;
  /** Every RSS sample of both apps (s since the soak's start, MB). */
  samples: RssSample[];
  /** Every heap-in-use sample of both apps (same shape). */
  heapSamples?: RssSample[];
  cpuSeconds: Record<string, number>;
}

/**
 * Soak: both compiled apps at a sustained `soakRate` messages/s for `soakMinutes` minutes (after a
 * gentle warm-up), `e2eSenders` senders round-robin. The RSS of each app (`VmRSS`) is sampled every
 * `soakSampleSeconds` s; reported are start, end and peak RSS and the slope over the last
 * {@link SLOPE_WINDOW_MINUTES} minutes (the first ones are start-up: JIT, pools, caches filling),
 * of all samples and of the post-GC floor; "flat" when the floor's is within ±{@link FLAT_MB_PER_MIN}
 * MB/min — at 200 msg/s that is under ~90 bytes kept per message. Also the end-to-end p99 per minute and whether every notification arrived.
 */
export async function soakSuite(ctx: SuiteContext): Promise<SoakResult> {
  const { soakMinutes: minutes, soakRate: rate, soakSampleSeconds, e2eSenders: senders, e2eWarmupSeconds } = ctx.params;
  ctx.log(`soak: ${rate} messages/s for ${minutes} min, ${senders} senders, RSS every ${soakSampleSeconds} s`);
  const pair = await AppPair.start(ctx, 'soak', 'bench_soak');
  try {
    await pair.warmUp('soakwarmup', rate, e2eWarmupSeconds, senders);
    const p = await pair.load('soak', rate, minutes * 60, senders, soakSampleSeconds * 1000);
    const slopeWindowMinutes = Math.min(SLOPE_WINDOW_MINUTES, 0.8 * minutes);
    const memory = Object.fromEntries(
      ['messages', 'notifications'].map((app) => {
        const slopeMbPerMin = rssSlopeMbPerMin(p.rss, app, slopeWindowMinutes);
        const floorSlopeMbPerMin = rssFloorSlopeMbPerMin(p.rss, app, slopeWindowMinutes);
        const heap = {
          ...rssFigures(p.heap, app),
          floorSlopeMbPerMin: rssFloorSlopeMbPerMin(p.heap, app, slopeWindowMinutes),
        };
        return [
          app,
          {
            ...rssFigures(p.rss, app),
            slopeMbPerMin,
            floorSlopeMbPerMin,
            flat: Math.abs(floorSlopeMbPerMin) < FLAT_MB_PER_MIN,
            heap,
          },
        ];
      }),
    );
    const perMinute: SoakMinute[] = [];
    for (let m = 0; m < Math.ceil(minutes); m++) {
      const ms = p.latencies.filter((l) => l.dueS >= m * 60 && l.dueS < (m + 1) * 60).map((l) => l.ms);
      if (ms.length)
        perMinute.push({
          minute: m + 1,
          notifications: ms.length,
          p50Ms: percentile(ms, 50),
          p99Ms: percentile(ms, 99),
          maxMs: percentile(ms, 100),
        });
    }
    const r: SoakResult = {
      rate,
      minutes,
      senders,
      sampleSeconds: soakSampleSeconds,
      slopeWindowMinutes,
      messages: p.sent.length,
      accepted: p.accepted,
      expected: p.expected,
      received: p.received,
      non2xx: p.non2xx,
      errors: p.errors,
      overloaded: p.notSent > 0,
      notSent: p.notSent,
      achievedRate: p.achievedRate,
      p99Ms: percentile(
        p.latencies.map((l) => l.ms),
        99,
      ),
      perMinute,
      memory,
      samples: p.rss,
      heapSamples: p.heap,
      cpuSeconds: p.cpuSeconds,
    };
    for (const [app, m] of Object.entries(memory)) {
      ctx.log(
        `  ${app.padEnd(13)} RSS ${m.startMb.toFixed(0)} → ${m.endMb.toFixed(0)} MB (max ${m.maxMb.toFixed(0)}), slope ${m.slopeMbPerMin.toFixed(2)} MB/min, floor ${m.floorSlopeMbPerMin.toFixed(2)} MB/min over the last ${slopeWindowMinutes} min; ` +
          `heap ${m.heap.startMb.toFixed(0)} → ${m.heap.endMb.toFixed(0)} MB, floor ${m.heap.floorSlopeMbPerMin.toFixed(2)} MB/min`,
      );
    }
    ctx.log(
      `  p99 per minute: ${perMinute.map((x) => x.p99Ms.toFixed(0)).join(', ')} ms; received ${r.received}/${r.expected}${r.overloaded ? `; OVERLOADED (${r.notSent} not sent)` : ''}`,
    );
    return r;
  } finally {
    await pair.stop();
  }
}
