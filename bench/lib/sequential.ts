import http from 'node:http';
import { percentile } from './stats';

/** One HTTP request of a sequential measurement. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  /** Absolute URL, e.g. `http://127.0.0.1:3301/api/v1/notifications?limit=20`. */
  url: string;
  /** Bearer token (JWT) of the user making the request. */
  token: string;
  /** JSON body (sent with `content-type: application/json`). */
  body?: unknown;
  /** Sub-sample the request belongs to (e.g. `heavy`), for per-group percentiles. */
  group?: string;
}

/** A response: status (0 on a transport error) and the parsed JSON body (undefined if none). */
export interface Answer {
  status: number;
  json?: unknown;
  error?: string;
}

/** Latencies of one endpoint measured request after request. */
export interface SequentialRun {
  /** Requests sent (≤ the planned count when the time cap stopped the run). */
  requests: number;
  planned: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Over every request, 2xx or not (ms, from write to the last byte of the body). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The run stopped at `maxSeconds` before its planned count. */
  timeCapped: boolean;
  seconds: number;
  /** First non-2xx answer, for the report. */
  firstFailure?: string;
  /** The same percentiles per {@link RequestSpec.group}. */
  groups: Record<string, { requests: number; p50Ms: number; p99Ms: number }>;
}

/**
 * Sends one request and reads the whole answer on `agent`.
 * @returns the status and body; status 0 with `error` on a transport failure or after `timeoutMs`
 */
export function send(agent: http.Agent, spec: RequestSpec, timeoutMs = 120_000): Promise<Answer> {
  const body = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
  return new Promise((resolve) => {
    const req = http.request(
      spec.url,
      {
        method: spec.method,
        agent,
        headers: {
          authorization: `Bearer ${spec.token}`,
          ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on('error', (err) => resolve({ status: 0, error: err.message }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}

/**
 * Latency of one endpoint with one client on one keep-alive connection: request `i` is sent when
 * answer `i - 1` has been read (closed loop, no concurrency, so each figure is the server's
 * latency for that request alone). `warmup` requests first (not counted; at most a tenth of
 * `maxSeconds`), then up to `count` measured, stopping early once `maxSeconds` have passed (a
 * request under way is not cut: each may take up to 120 s before it counts as an error).
 * @param next the i-th request (i counts warm-up and measured ones together), or undefined to skip
 * @param onAnswer sees every answer (e.g. to collect cursors and ids for later endpoints)
 */
export async function measureSequential(o: {
  agent: http.Agent;
  count: number;
  warmup: number;
  maxSeconds: number;
  next(i: number): RequestSpec | undefined;
  onAnswer?(i: number, answer: Answer): void;
}): Promise<SequentialRun> {
  const latencies: number[] = [];
  const byGroup = new Map<string, number[]>();
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let firstFailure: string | undefined;
  let i = 0;
  const warmDeadline = performance.now() + o.maxSeconds * 100;
  for (let w = 0; w < o.warmup && performance.now() < warmDeadline; i++) {
    const spec = o.next(i);
    if (!spec) break;
    o.onAnswer?.(i, await send(o.agent, spec));
    w++;
  }
  const t0 = performance.now();
  const deadline = t0 + o.maxSeconds * 1000;
  let timeCapped = false;
  while (latencies.length < o.count) {
    if (performance.now() > deadline) {
      timeCapped = true;
      break;
    }
    const spec = o.next(i++);
    if (!spec) break;
    const s = performance.now();
    const a = await send(o.agent, spec);
    const ms = performance.now() - s;
    latencies.push(ms);
    if (spec.group) byGroup.set(spec.group, [...(byGroup.get(spec.group) ?? []), ms]);
    if (a.status >= 200 && a.status < 300) ok++;
    else {
      if (a.status === 0) errors++;
      else non2xx++;
      firstFailure ??= `${spec.method} ${new URL(spec.url).pathname} → ${a.status || a.error}: ${JSON.stringify(a.json ?? '').slice(0, 200)}`;
    }
    o.onAnswer?.(i - 1, a);
  }
  return {
    requests: latencies.length,
    planned: o.count,
    ok,
    non2xx,
    errors,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    timeCapped,
    seconds: (performance.now() - t0) / 1000,
    firstFailure,
    groups: Object.fromEntries(
      [...byGroup].map(([g, v]) => [g, { requests: v.length, p50Ms: percentile(v, 50), p99Ms: percentile(v, 99) }]),
    ),
  };
}
