import { Agent, request } from 'node:http';

/** Keep-alive agent shared by the fault tests' HTTP calls (many small requests). */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** An HTTP answer: status, raw text, and the parsed JSON body when it is JSON. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/**
 * One HTTP/1.1 request with `node:http` (no dependency, works in jest's node environment).
 *
 * By default the request goes over the shared keep-alive agent. `keepAlive: false` opens a
 * connection of its own and closes it after the answer (`Connection: close`): for servers that
 * close idle keep-alive connections on a timer of their own, where reusing an idle connection races
 * with that close and fails with "socket hang up" (a request that is not retried).
 * @param body serialised as JSON when given
 * @throws Error on a connection error (refused, reset, hang-up) or after `timeoutMs` (default 30 s)
 */
export function httpRequest(
  method: string,
  url: string,
  opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number; keepAlive?: boolean } = {},
): Promise<HttpAnswer> {
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: opts.keepAlive === false ? false : agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...opts.headers,
        },
        timeout: opts.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Runs `task(i)` for i in [0, count) with at most `concurrency` in flight, in index order.
 * @returns the results, by index
 */
export async function boundedAll<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
