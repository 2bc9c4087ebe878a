import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './procs';

/** Where and with what a benchmark ran. */
export interface MachineInfo {
  date: string;
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  os: string;
  versions: Record<string, string>;
  gitCommit: string;
  /** os.loadavg() (1, 5, 15 min) at the start and end: other work competing for the CPUs. */
  loadAverage?: { start: number[]; end?: number[] };
  /** Files with uncommitted changes when the benchmark ran (the apps were built from those). */
  gitUncommitted: number;
}

const read = (file: string): string => {
  try {
    return fs.readFileSync(path.join(ROOT, file), 'utf8');
  } catch {
    return '';
  }
};

/** Installed version of an npm package (from its package.json), or `?`. */
function pkgVersion(name: string): string {
  try {
    return (JSON.parse(read(path.join('node_modules', name, 'package.json'))) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** `git rev-parse HEAD` without running git: .git/HEAD and the ref it points to. */
function gitCommit(): string {
  const head = read('.git/HEAD').trim();
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (!ref) return head.slice(0, 12) || '?';
  const loose = read(path.join('.git', ref)).trim();
  if (loose) return loose.slice(0, 12);
  const packed = read('.git/packed-refs')
    .split('\n')
    .find((l) => l.endsWith(` ${ref}`));
  return packed ? packed.slice(0, 12) : '?';
}

/** Number of paths `git status --porcelain` lists, or -1 when git is unavailable. */
function uncommitted(): number {
  try {
    return execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)
      .length;
  } catch {
    return -1;
  }
}

/**
 * Machine (nproc, memory, CPU model from /proc/cpuinfo) and software versions: Node.js, Kafka
 * (stack/kafka/pom.xml), FerretDB (stack/ferretdb/go.mod), and the npm packages that matter.
 * @param servers `bench-stack` or `external` (external servers' versions are not known here)
 * @param backend storage backend FerretDB started on (the volume suite may switch it)
 */
export function machineInfo(servers: string, backend = 'sqlite'): MachineInfo {
  const cpuinfo = (() => {
    try {
      return fs.readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? os.cpus()[0]?.model ?? '?';
  const external = servers === 'external' ? ' (external servers: version not checked)' : '';
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    versions: {
      node: process.version,
      kafka: (/<kafka\.version>([^<]+)</.exec(read('stack/kafka/pom.xml'))?.[1] ?? '?') + external,
      ferretdb:
        (/github\.com\/FerretDB\/FerretDB (v[\w.-]+)/.exec(read('stack/ferretdb/go.mod'))?.[1] ?? '?') +
        ` (${backend} backend at start)` +
        external,
      kafkajs: pkgVersion('kafkajs'),
      mongoose: pkgVersion('mongoose'),
      mongodb: pkgVersion('mongodb'),
      '@nestjs/core': pkgVersion('@nestjs/core'),
      '@nestjs/microservices': pkgVersion('@nestjs/microservices'),
      fastify: pkgVersion('fastify'),
      'class-validator': pkgVersion('class-validator'),
      autocannon: pkgVersion('autocannon'),
    },
    loadAverage: { start: os.loadavg().map((v) => Math.round(v * 100) / 100) },
    gitCommit: gitCommit(),
    gitUncommitted: uncommitted(),
  };
}
