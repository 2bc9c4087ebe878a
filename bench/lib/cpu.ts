import fs from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux builds in practice). */
const TICKS_PER_S = 100;

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat.
 * @returns NaN when the process or procfs is unavailable
 */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/**
 * CPU time of a process and its direct children, in ms: the process's own user + system time,
 * plus what its reaped children used (`cutime`, `cstime`), plus the live children's. The difference
 * of two readings counts children that started or ended in between (PostgreSQL's postmaster forks
 * and reaps its autovacuum workers and backends; proc(5), /proc/<pid>/stat fields 14-17).
 * @returns NaN when the process or procfs is unavailable
 */
export function treeCpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  const stat = (p: number): { ppid: number; own: number; reaped: number } | undefined => {
    try {
      const text = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
    } catch {
      return undefined;
    }
  };
  const root = stat(pid);
  if (!root) return NaN;
  let ticks = root.own + root.reaped;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === pid) ticks += child.own + child.reaped;
  }
  return (ticks * 1000) / TICKS_PER_S;
}

/** Pids of the bench stack's servers (from `<HERALD_STACK_DIR>/run/*.pid`), when it runs locally. */
export function serverPids(): Record<string, number> {
  const dir = process.env.HERALD_STACK_DIR;
  const out: Record<string, number> = {};
  if (!dir) return out;
  for (const name of ['kafka', 'ferretdb']) {
    try {
      const pid = Number(fs.readFileSync(path.join(dir, 'run', `${name}.pid`), 'utf8').trim());
      if (pid > 0) out[name] = pid;
    } catch {
      /* not running locally */
    }
  }
  return out;
}

/**
 * CPU meter over several processes: call {@link CpuMeter.stop} to get ms used since the start.
 * `trees` are measured with their direct children ({@link treeCpuMs}): PostgreSQL's postmaster,
 * whose forked backends do the work.
 */
export class CpuMeter {
  private readonly start: Record<string, number>;

  constructor(
    private readonly pids: Record<string, number | undefined>,
    private readonly trees: Record<string, number | undefined> = {},
  ) {
    this.start = Object.fromEntries(this.readings());
  }

  /** @returns CPU seconds used per named process (tree) since construction (NaN where unknown) */
  stop(): Record<string, number> {
    return Object.fromEntries(this.readings().map(([k, ms]) => [k, (ms - this.start[k]) / 1000]));
  }

  private readings(): Array<[string, number]> {
    return [
      ...Object.entries(this.pids).map(([k, pid]): [string, number] => [k, cpuMs(pid)]),
      ...Object.entries(this.trees).map(([k, pid]): [string, number] => [k, treeCpuMs(pid)]),
    ];
  }
}
