import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** Repository root (this file is bench/lib/procs.ts). */
export const ROOT = path.resolve(__dirname, '..', '..');
/** Gitignored output folder of the benchmark: logs, CPU profiles, smoke reports. */
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A child process started by {@link startNode}. */
export interface Child {
  name: string;
  proc: ChildProcess;
  /** When it was spawned (`performance.now()` of this process, ms). */
  startedAt: number;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** SIGTERM (or `signal`), then SIGKILL after `timeoutMs`; resolves once it exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

/** Private copy of the compiled apps the benchmark runs (see {@link snapshotBuild}). */
export const BUILD_DIR = path.join(RESULTS_DIR, 'build');

/**
 * Copies the compiled apps (`dist/apps`, just built by `npm run bench`) to bench/results/build, so
 * that a rebuild of `dist/` during the benchmark (tests running in the same checkout) cannot change
 * the code under test halfway. The copy resolves node_modules from the repo root like `dist/` does.
 * @throws Error when the apps are not built
 */
export function snapshotBuild(): void {
  const src = path.join(ROOT, 'dist', 'apps');
  if (!fs.existsSync(src)) throw new Error('dist/apps is missing: run npm run build');
  fs.rmSync(BUILD_DIR, { recursive: true, force: true });
  fs.cpSync(src, path.join(BUILD_DIR, 'apps'), { recursive: true });
}

/**
 * Compiled entry of a Herald app (as stack/cli.js finds it) in the snapshot when one was taken,
 * else in `dist/`; relative to the repo root.
 * @throws Error when the app is not built (`npm run build`)
 */
export function appEntry(name: 'messages' | 'notifications'): string {
  const base = fs.existsSync(path.join(BUILD_DIR, 'apps')) ? path.relative(ROOT, BUILD_DIR) : 'dist';
  const candidates = [
    path.join(base, 'apps', name, 'main.js'),
    path.join(base, 'apps', name, 'apps', name, 'src', 'main.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(path.join(ROOT, c)));
  if (!found) throw new Error(`${name} is not built (looked for ${candidates.join(', ')}): run npm run build`);
  return found;
}

/**
 * Spawns `node [nodeArgs] script` from the repo root with `env` (added to this process's env),
 * stdout+stderr appended to bench/results/logs/<logName>.log.
 * @param script path relative to the repo root; `.ts` files run through ts-node (transpile only)
 */
export function startNode(o: {
  name: string;
  script: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  logName?: string;
}): Child {
  const logFile = path.join(RESULTS_DIR, 'logs', `${o.logName ?? o.name}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  const tsArgs = o.script.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [];
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), ...tsArgs, o.script], {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    proc.on('error', () => resolve('spawn-error'));
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | string> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const res = await exited;
    clearTimeout(timer);
    return res;
  };
  return { name: o.name, proc, startedAt: performance.now(), exited, stop };
}

/** A TCP port the OS reports free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Waits until `url` answers any HTTP status (the server listens), failing early when `child` exits.
 * @throws Error after `timeoutMs` or when the child exited
 */
export async function waitHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(
        `${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) before listening; see bench/results/logs`,
      );
    }
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(1000, () => req.destroy());
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
