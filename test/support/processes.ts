import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { Topics } from '@herald/contracts';
import { freshProjectionGroup } from './consumer-group';
import { appEnv } from './env';
import { httpRequest } from './http';

/** The two Herald apps, as built by `npm run build`. */
export type AppName = 'messages' | 'notifications';

const ROOT = resolve(__dirname, '..', '..');
/** The JWT secret every spawned app gets (see {@link appEnv}). */
const SECRET = appEnv().JWT_SECRET;
/** Output kept per process, in characters (the tail is what explains a failure). */
const LOG_LIMIT = 400_000;

/** How a spawned app ended. */
export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A built app running as a child process of the test. */
export interface AppProcess {
  readonly name: AppName;
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves when the process exits (never rejects). */
  readonly exited: Promise<AppExit>;
  /** True until the process exits. */
  alive(): boolean;
  /** Its stdout + stderr so far (the last {@link LOG_LIMIT} characters). */
  logs(): string;
  /**
   * Sends `signal` and waits for the exit; a process still alive after `graceMs` is SIGKILLed.
   * @returns how it ended (already-exited processes return their earlier exit at once)
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<AppExit>;
}

/** Options of {@link startApp}. */
export interface StartOptions {
  /** MongoDB connection string of the test's database (see {@link faultDatabaseUri}). */
  mongoUri: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Port to listen on; a free one is chosen when omitted. */
  port?: number;
  /** Longest wait for readiness, in ms (default 60 s). */
  readyTimeoutMs?: number;
  /**
   * Test-side fault injection: modules (paths from the repository root, e.g.
   * `test/support/preload/crash-before-publish.js`) loaded with `node --require` before the app.
   */
  preload?: string[];
}

const started = new Set<AppProcess>();
/** Every process started by this test file (jest loads modules per file), stopped ones included. */
const history: AppProcess[] = [];

/** Asks the OS for a free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The test servers' MongoDB URI with the database replaced by `herald_fault_<name>` (query string
 * kept), so each fault test file has its own database.
 * @throws Error when the URI has no recognisable `mongodb://host[:port][,...]` prefix
 */
export function faultDatabaseUri(baseUri: string, name: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(baseUri);
  if (!m) throw new Error(`cannot parse MongoDB URI ${baseUri}`);
  return `${m[1]}/herald_fault_${name.replace(/[^A-Za-z0-9_]/g, '_')}${m[3] ?? ''}`;
}

/** Signs an HS256 token for `userId` with the secret the spawned apps verify. */
export function signToken(userId: string): Promise<string> {
  return new JwtService({ secret: SECRET }).signAsync({ sub: userId }, { algorithm: 'HS256', expiresIn: 3600 });
}

/** Compiled entry of an app, relative to the repository root. */
function entryOf(name: AppName): string {
  const entry = join('dist', 'apps', name, 'apps', name, 'src', 'main.js');
  if (!existsSync(join(ROOT, entry))) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return entry;
}

/**
 * Spawns a built app (`node dist/apps/<name>/apps/<name>/src/main.js`) with the test servers, its
 * own database, a test JWT secret, `NODE_ENV=test`, `LOG_LEVEL=warn`, a free port on 127.0.0.1 and
 * a fast outbox relay (500 ms interval, 1 s minimum age), then waits until it is ready.
 *
 * @returns the running process (registered for {@link stopAllApps})
 * @throws Error with the process output when it exits or is not ready in time
 */
export async function startApp(name: AppName, opts: StartOptions): Promise<AppProcess> {
  const port = opts.port ?? (await freePort());
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...appEnv(),
    MONGODB_URI: opts.mongoUri,
    HTTP_HOST: '127.0.0.1',
    [name === 'messages' ? 'MESSAGES_PORT' : 'NOTIFICATIONS_PORT']: String(port),
    // Each messages app projects conversations in a group of its own (see freshProjectionGroup).
    ...(name === 'messages' && !opts.env?.KAFKA_CONVERSATIONS_GROUP
      ? { KAFKA_CONVERSATIONS_GROUP: await freshProjectionGroup(Topics.MessageCreated) }
      : {}),
    ...opts.env,
  };
  const preload = (opts.preload ?? []).flatMap((p) => ['--require', join(ROOT, p)]);
  const child = spawn(process.execPath, [...preload, entryOf(name)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Debugging aid: FAULT_APP_LOG_DIR=<dir> also writes each process's full output to <dir>/<name>-<pid>.log.
  const logDir = process.env.FAULT_APP_LOG_DIR;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const append = (chunk: Buffer) => {
    if (logDir) appendFileSync(join(logDir, `${name}-${child.pid}.log`), chunk);
    output += chunk.toString();
    if (output.length > LOG_LIMIT * 1.5) output = output.slice(-LOG_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exit: AppExit | undefined;
  const exited = new Promise<AppExit>((done) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      done(exit);
    });
    child.on('error', (err) => {
      append(Buffer.from(`spawn error: ${err.message}\n`));
      exit = { code: -1, signal: null };
      done(exit);
    });
  });
  const proc: AppProcess = {
    name,
    pid: child.pid ?? -1,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    exited,
    alive: () => exit === undefined,
    logs: () => output.slice(-LOG_LIMIT),
    stop: async (signal = 'SIGTERM', graceMs = 20_000) => {
      if (exit) return exit;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        started.delete(proc);
      }
    },
  };
  started.add(proc);
  history.push(proc);
  try {
    await waitReady(proc, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(
      `${name} (pid ${proc.pid}) did not become ready: ${(err as Error).message}\n--- ${name} output ---\n${proc.logs()}`,
      { cause: err },
    );
  }
  return proc;
}

/**
 * Polls until the app is ready: `GET /health/ready` answers 200; where that route does not exist
 * (404), an authenticated API call answering as expected (notifications: `GET /api/v1/notifications`
 * → 200; messages: `GET /api/v1/messages/<unknown id>` → 404, which needs MongoDB).
 * @throws Error when the process exits or `timeoutMs` passes
 */
async function waitReady(proc: AppProcess, timeoutMs: number): Promise<void> {
  const token = await signToken('readiness-probe');
  const auth = { authorization: `Bearer ${token}` };
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!proc.alive()) throw new Error(`process exited (${JSON.stringify(await proc.exited)})`);
    try {
      const health = await httpRequest('GET', `${proc.url}/health/ready`, { timeoutMs: 3000 });
      if (health.status === 200) return;
      last = `/health/ready → ${health.status} ${health.text.slice(0, 300)}`;
      if (health.status === 404) {
        const probe =
          proc.name === 'notifications'
            ? await httpRequest('GET', `${proc.url}/api/v1/notifications`, { headers: auth, timeoutMs: 3000 })
            : await httpRequest('GET', `${proc.url}/api/v1/messages/000000000000000000000000`, {
                headers: auth,
                timeoutMs: 3000,
              });
        if (probe.status === (proc.name === 'notifications' ? 200 : 404)) return;
        last = `API probe → ${probe.status} ${probe.text.slice(0, 300)}`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not ready after ${timeoutMs} ms (last: ${last})`);
}

/**
 * Stops every app this test file started and has not stopped yet (use in `afterAll`): SIGTERM, so
 * consumers leave their group, then SIGKILL after `graceMs`.
 */
export async function stopAllApps(graceMs = 15_000): Promise<void> {
  await Promise.all([...started].map((p) => p.stop('SIGTERM', graceMs)));
}

/**
 * Runs `body`; when it throws, the error is rethrown with the tail of the output of every process
 * that was running when `body` began (e.g. apps started in `beforeAll`) or was started by it
 * (stopped ones too), so a failed fault test shows what the apps said.
 */
export async function withAppLogs<T>(body: () => Promise<T>, tailChars = 12_000): Promise<T> {
  const running = [...started];
  const from = history.length;
  try {
    return await body();
  } catch (err) {
    const logs = [...running, ...history.slice(from)]
      .map(
        (p) =>
          `--- ${p.name} pid ${p.pid} (${p.alive() ? 'alive' : 'exited'}) output ---\n${p.logs().slice(-tailChars) || '(none)'}`,
      )
      .join('\n');
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = `${e.message}\n${logs}`;
    throw e;
  }
}

process.once('exit', () => {
  for (const p of started) p.child.kill('SIGKILL');
});
