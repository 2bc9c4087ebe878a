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

/** CPU meter over several processes: call {@link CpuMeter.stop} to get ms used since the start. */
export class CpuMeter {
  private readonly start: Record<string, number>;

  constructor(private readonly pids: Record<string, number | undefined>) {
    this.start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  }

  /** @returns CPU seconds used per named process since construction (NaN where unknown) */
  stop(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.pids).map(([k, pid]) => [k, (cpuMs(pid) - this.start[k]) / 1000]));
  }
}
