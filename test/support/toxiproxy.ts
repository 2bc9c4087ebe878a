import { httpRequest } from './http';

/**
 * A Toxiproxy toxic (Toxiproxy README, "Toxics"): `latency` {latency, jitter} (ms), `bandwidth`
 * {rate} (KB/s), `timeout` {timeout} (ms; 0 = drop all data until removed: a blackhole),
 * `reset_peer` {timeout} (ms before a TCP RST), `slow_close`, `slicer`, `limit_data`.
 * `stream` is the direction: `downstream` (server → client, the default) or `upstream`.
 */
export interface Toxic {
  name: string;
  type: 'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'slow_close' | 'slicer' | 'limit_data';
  stream?: 'upstream' | 'downstream';
  toxicity?: number;
  attributes: Record<string, number>;
}

/**
 * A client of Toxiproxy's HTTP API (`POST /proxies`, `POST /proxies/{name}/toxics`, ...).
 *
 * Every call opens a connection of its own: Toxiproxy's API server closes a keep-alive connection
 * after 10 s idle (v2.5.0 `api.go`: `ReadTimeout: 10 * time.Second` and no `IdleTimeout`, which
 * Go's net/http then uses as the idle timeout), so a call made about 10 s after the previous one
 * (a toxic removed `holdMs` = 10 s after it was added) could go out on a connection the server
 * was closing at that moment and fail with "socket hang up", leaving the toxic in place.
 */
export class ToxiproxyApi {
  constructor(readonly api: string) {}

  /**
   * Creates (or replaces) a proxy listening on 127.0.0.1:`listen` in front of `upstream` (`host:port`).
   * @throws Error naming the answer when Toxiproxy refuses it
   */
  async proxy(name: string, listen: number, upstream: string): Promise<void> {
    await this.call('DELETE', `/proxies/${name}`, undefined, [204, 404]);
    await this.call('POST', '/proxies', { name, listen: `127.0.0.1:${listen}`, upstream, enabled: true }, [201]);
  }

  /** Adds a toxic to a proxy; it applies to open connections too. */
  async add(proxy: string, toxic: Toxic): Promise<void> {
    await this.call('POST', `/proxies/${proxy}/toxics`, { stream: 'downstream', toxicity: 1, ...toxic }, [200]);
  }

  /** Removes a toxic (a missing one is not an error). */
  async remove(proxy: string, name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${proxy}/toxics/${name}`, undefined, [204, 404]);
  }

  /** Removes every toxic of every proxy and enables them all (`POST /reset`). */
  async reset(): Promise<void> {
    await this.call('POST', '/reset', undefined, [204]);
  }

  private async call(method: string, path: string, body: unknown, ok: number[]): Promise<void> {
    const res = await httpRequest(method, `${this.api}${path}`, { body, timeoutMs: 10_000, keepAlive: false });
    if (!ok.includes(res.status))
      throw new Error(`toxiproxy ${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`);
  }
}
