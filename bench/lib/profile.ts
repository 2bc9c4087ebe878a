import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './procs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time of one function or one group in a CPU profile. */
export interface SelfTime {
  name: string;
  /** Where the function is (repo-relative path:line), empty for groups. */
  where: string;
  group: string;
  ms: number;
  /** Share of all sampled time, in %. */
  pct: number;
}

/** Self-time summary of a `.cpuprofile`: by group (Nest, kafkajs, ...) and the top functions. */
export interface ProfileSummary {
  file: string;
  sampledMs: number;
  groups: SelfTime[];
  top: SelfTime[];
}

const SPECIAL: Record<string, string> = {
  '(garbage collector)': 'GC',
  '(idle)': 'idle (waiting for I/O)',
  '(program)': 'V8/native (program)',
  '(root)': 'V8/native (program)',
};

const PACKAGE_GROUPS: Array<[RegExp, string]> = [
  [/^@nestjs\//, 'Nest'],
  [/^(kafkajs)$/, 'kafkajs'],
  [/^(class-validator|class-transformer|validator|libphonenumber-js)$/, 'class-validator/transformer'],
  [/^mongoose$/, 'mongoose'],
  [/^(mongodb|bson|mongodb-connection-string-url)$/, 'MongoDB driver + BSON (wire protocol)'],
  [/^(rxjs|tslib)$/, 'rxjs/tslib'],
  [/^(fastify|@fastify\/.*|find-my-way|light-my-request|avvio)$/, 'Fastify'],
];

/** Package name of a `.../node_modules/<pkg>/...` path (the innermost one), else undefined. */
function packageOf(file: string): string | undefined {
  const i = file.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const parts = file.slice(i + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** The group a call frame's own code belongs to. */
export function groupOf(frame: CallFrame): string {
  if (SPECIAL[frame.functionName] && !frame.url) return SPECIAL[frame.functionName];
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return 'V8/native (program)';
  if (url.startsWith('node:') || !url.startsWith('/')) return 'Node.js core (net, streams, timers...)';
  const pkg = packageOf(url);
  if (!pkg) return /\/dist\/|\/bench\/results\/build\//.test(url) ? 'Herald code (compiled apps + libs)' : 'other';
  return PACKAGE_GROUPS.find(([re]) => re.test(pkg))?.[1] ?? `other packages (${pkg})`;
}

/** A repo-relative location for reports (never an absolute machine path). */
function whereOf(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return '';
  const rel = url.startsWith(ROOT) ? path.relative(ROOT, url) : url.startsWith('/') ? path.basename(url) : url;
  return `${rel}:${frame.lineNumber + 1}`;
}

const CORE_GROUPS = new Set(['V8/native (program)', 'Node.js core (net, streams, timers...)']);

/**
 * Reads a `.cpuprofile` (Chrome DevTools format written by `node --cpu-prof`) and sums the self
 * time of every function (each sample lasts until the next one) by function and by group. Time in
 * native code and Node.js core (a socket write, a Buffer copy) is charged to the nearest calling
 * library or app code, so the groups answer "which layer caused the work".
 * @param topN how many functions to keep
 * @param minGroupPct groups below this share are summed into one "other" row
 */
export function summarizeProfile(file: string, topN = 15, minGroupPct = 0.5): ProfileSummary {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const charged = new Map<number, string>();
  const chargedGroup = (id: number): string => {
    const cached = charged.get(id);
    if (cached) return cached;
    const own = groupOf(byId.get(id)!.callFrame);
    let group = own;
    if (CORE_GROUPS.has(own) && !SPECIAL[byId.get(id)!.callFrame.functionName]) {
      const up = parent.get(id);
      group = up === undefined || byId.get(up)?.callFrame.functionName === '(root)' ? own : chargedGroup(up);
    }
    charged.set(id, group);
    return group;
  };
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0;
    total += dt;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + dt);
  }
  const fns = new Map<string, SelfTime>();
  const groups = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const group = chargedGroup(id);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const name = frame.functionName || '(anonymous)';
    const where = whereOf(frame);
    const key = `${name}@${where}@${group}`;
    const cur = fns.get(key) ?? { name, where, group, ms: 0, pct: 0 };
    cur.ms += us / 1000;
    fns.set(key, cur);
  }
  const pct = (ms: number): number => (total > 0 ? (100 * ms * 1000) / total : 0);
  const top = [...fns.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, topN)
    .map((f) => ({ ...f, pct: pct(f.ms) }));
  const all = [...groups.entries()]
    .map(([name, us]) => ({ name, where: '', group: name, ms: us / 1000, pct: pct(us / 1000) }))
    .sort((a, b) => b.ms - a.ms);
  const small = all.filter((g) => g.pct < minGroupPct);
  const grouped = all.filter((g) => g.pct >= minGroupPct);
  if (small.length) {
    const ms = small.reduce((n, g) => n + g.ms, 0);
    grouped.push({
      name: `other (${small.length} packages, each < ${minGroupPct} %)`,
      where: '',
      group: 'other',
      ms,
      pct: pct(ms),
    });
  }
  return { file: path.relative(ROOT, file), sampledMs: total / 1000, groups: grouped, top };
}
