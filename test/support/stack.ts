/**
 * Typed access to the local stack's programmatic API (stack/lib, plain JavaScript), for fault
 * tests that stop a server and start it again. `stack/cli.js test` sets HERALD_STACK_DIR, so this
 * process controls the same servers the tests use.
 */
type StopResult = 'not running' | 'stopped' | 'killed';
interface StackApi {
  startKafka(): Promise<{ pid: number; started: boolean }>;
  stopKafka(opts?: { signal?: 'SIGTERM' | 'SIGKILL'; timeoutMs?: number }): Promise<StopResult>;
  waitKafka(timeoutMs?: number): Promise<unknown>;
  startMongo(): Promise<{ pid: number; started: boolean }>;
  stopMongo(opts?: { signal?: 'SIGTERM' | 'SIGKILL'; timeoutMs?: number }): Promise<StopResult>;
  waitMongo(timeoutMs?: number): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const stack = require('../../stack/lib') as StackApi;

/** Which local server a fault test may stop. */
export type StackServer = 'kafka' | 'mongo';

/**
 * Starts `server` if it is not running and waits until it answers (Kafka up to 90 s, MongoDB up to
 * 60 s). Idempotent: use it in `afterAll` so a failed test never leaves the shared stack down.
 * @returns the time it took, in ms
 */
export async function ensureServerUp(server: StackServer): Promise<number> {
  const t0 = Date.now();
  if (server === 'kafka') {
    await stack.startKafka();
    await stack.waitKafka(90_000);
  } else {
    await stack.startMongo();
    await stack.waitMongo(60_000);
  }
  return Date.now() - t0;
}
