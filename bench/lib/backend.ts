import fs from 'node:fs';
import path from 'node:path';
import { serverPids } from './cpu';

/** Storage backends of the embedded FerretDB (env STACK_MONGO_BACKEND of stack/), or external servers. */
export type Backend = 'sqlite' | 'postgresql' | 'external';
export const STACK_BACKENDS: readonly Backend[] = ['sqlite', 'postgresql'];

/** Bytes of every regular file under `dir` (0 when it does not exist); symlinks not followed. */
export function folderBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += folderBytes(p);
    else if (e.isFile()) {
      try {
        total += fs.statSync(p).size;
      } catch {
        /* removed meanwhile */
      }
    }
  }
  return total;
}

/** Bytes of the regular files directly in `dir` whose names start with `prefix`. */
export function filesBytes(dir: string, prefix: string): number {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.startsWith(prefix))
      .reduce((n, e) => n + fs.statSync(path.join(dir, e.name)).size, 0);
  } catch {
    return 0;
  }
}

/** Data folders of a backend in the bench stack's state folder (HERALD_STACK_DIR). */
export function dataFolders(backend: Backend): string[] {
  const dir = process.env.HERALD_STACK_DIR;
  if (!dir || backend === 'external') return [];
  return backend === 'postgresql' ? [path.join(dir, 'postgres')] : [path.join(dir, 'ferretdb', 'data')];
}

/**
 * Finds `postmaster.pid` (first line: the postmaster's pid; PostgreSQL docs, "Creating a Database
 * Cluster" / storage file layout) up to three levels under `dir`.
 */
function postmasterPid(dir: string, depth = 3): number | undefined {
  const file = path.join(dir, 'postmaster.pid');
  if (fs.existsSync(file)) {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    try {
      if (pid > 0) process.kill(pid, 0);
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }
  if (depth === 0) return undefined;
  let subs: fs.Dirent[];
  try {
    subs = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  } catch {
    return undefined;
  }
  for (const s of subs) {
    const pid = postmasterPid(path.join(dir, s.name), depth - 1);
    if (pid) return pid;
  }
  return undefined;
}

/**
 * Root pids of the database processes of the bench stack: `ferretdb` always, and for postgresql
 * the cluster's `postgres` postmaster (its forked backends and workers are counted through it, see
 * `treeCpuMs`).
 * @throws Error when backend postgresql is asked for but no cluster runs under HERALD_STACK_DIR/postgres
 *   (a stack without the PostgreSQL backend ignores STACK_MONGO_BACKEND)
 */
export function databasePids(backend: Backend): Record<string, number> {
  if (backend === 'external') return {};
  const { ferretdb } = serverPids();
  const out: Record<string, number> = ferretdb ? { ferretdb } : {};
  if (backend === 'postgresql') {
    const pid = postmasterPid(dataFolders('postgresql')[0]);
    if (!pid)
      throw new Error(
        'backend postgresql: no running PostgreSQL cluster under $HERALD_STACK_DIR/postgres (does this stack support STACK_MONGO_BACKEND=postgresql?)',
      );
    out.postgres = pid;
  }
  return out;
}
