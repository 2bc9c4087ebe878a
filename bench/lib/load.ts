import http from 'node:http';

/** One request of an open-loop load. */
export interface SentRequest {
  seq: number;
  /** When it was due (`performance.now()`, ms): latencies count from here (no coordinated omission). */
  dueAt: number;
  /** When the response ended, or NaN. */
  doneAt: number;
  status: number;
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Outcome of {@link openLoop}. */
export interface LoadResult {
  sent: SentRequest[];
  /** Requests not sent because more than `maxOutstanding` were unanswered (the server fell behind). */
  notSent: number;
  /** Seconds after the start when sending stopped early, or NaN when it ran to the end. */
  stoppedAfterS: number;
}

/**
 * Sends `rate` POST requests per second for `seconds` seconds at fixed intervals, whatever the
 * server's speed (open loop: a slow answer never delays the next request), over a keep-alive agent,
 * and waits for every answer (timeout 60 s each). When more than `maxOutstanding` requests are
 * unanswered the server cannot keep up: sending stops (the rest is counted in `notSent`) so an
 * overloaded run ends in bounded time.
 * @param body builds the JSON body of request `seq`
 * @param headers the headers of every request, or a function building those of request `seq`
 *   (e.g. a different sender's token per request)
 */
export async function openLoop(o: {
  url: string;
  headers: Record<string, string> | ((seq: number) => Record<string, string>);
  rate: number;
  seconds: number;
  body: (seq: number) => string;
  maxOutstanding?: number;
}): Promise<LoadResult> {
  const maxOutstanding = o.maxOutstanding ?? Infinity;
  const headersOf =
    typeof o.headers === 'function' ? o.headers : (): Record<string, string> => o.headers as Record<string, string>;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const sent: SentRequest[] = [];
  const pending: Promise<void>[] = [];
  let outstanding = 0;
  let stoppedAfterS = NaN;
  const start = performance.now() + 5;
  for (let seq = 0; seq < total && Number.isNaN(stoppedAfterS);) {
    const now = performance.now();
    while (seq < total && start + seq * interval <= now) {
      if (outstanding >= maxOutstanding) {
        stoppedAfterS = (now - start) / 1000;
        break;
      }
      const r: SentRequest = { seq, dueAt: start + seq * interval, doneAt: NaN, status: 0 };
      sent.push(r);
      outstanding++;
      pending.push(post(agent, o.url, headersOf(seq), o.body(seq), r).finally(() => outstanding--));
      seq++;
    }
    await sleep(Math.max(0, Math.min(interval, start + seq * interval - performance.now())));
  }
  await Promise.all(pending);
  agent.destroy();
  return { sent, notSent: total - sent.length, stoppedAfterS };
}

function post(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
  r: SentRequest,
): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        r.status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => {
          r.doneAt = performance.now();
          resolve();
        });
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      r.error = err.message;
      resolve();
    });
    req.end(body);
  });
}
