import http from 'node:http';
import { RssSample } from './rss';

/**
 * V8 heap in use of a Herald app in MB (2^20 bytes), from its Prometheus endpoint (`GET /metrics`,
 * prom-client's default metric `nodejs_heap_size_used_bytes`).
 * @param metricsUrl e.g. `http://127.0.0.1:3000/metrics`
 * @returns NaN when the app does not answer within 2 s or has no such metric
 */
export function heapUsedMb(metricsUrl: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(metricsUrl, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m.exec(text);
        resolve(m ? Number(m[1]) / 2 ** 20 : NaN);
      });
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(NaN));
  });
}

/** Samples {@link heapUsedMb} of several apps every `intervalMs`, in the shape of RSS samples. */
export class HeapSampler {
  readonly samples: RssSample[] = [];
  private readonly t0 = performance.now();
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();

  /** @param urls metrics URL per app name */
  constructor(
    private readonly urls: Record<string, string>,
    intervalMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const tS = Math.round((performance.now() - this.t0) / 100) / 10;
    this.inFlight = this.inFlight.then(async () => {
      const entries = await Promise.all(
        Object.entries(this.urls).map(async ([k, url]) => [k, Math.round((await heapUsedMb(url)) * 10) / 10] as const),
      );
      this.samples.push({ tS, mb: Object.fromEntries(entries) });
    });
  }

  /** Takes a last sample and stops; @returns all samples */
  async stop(): Promise<RssSample[]> {
    clearInterval(this.timer);
    this.sample();
    await this.inFlight;
    return this.samples;
  }
}
