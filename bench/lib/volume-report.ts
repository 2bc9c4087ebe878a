import type { BenchResults } from './summary';
import { fmt } from './stats';
import { VOLUME_ENDPOINTS } from '../suites/volume';
import { VOLUME_GOALS, VolumeRunSummary } from './volume-summary';

const row = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
const yes = (ok: boolean): string => (ok ? 'yes' : '**no**');
const mib = (bytes: number): string => fmt(bytes / 2 ** 20, 1);
const times = (x: number): string => (Number.isFinite(x) ? `× ${fmt(x, 2)}` : '');
const sizeLabel = (s: VolumeRunSummary): string =>
  `${fmt(s.size)}${s.partialLoad ? ` (only ${fmt(s.loadedNotifications)} loaded)` : ''}`;
const worst = (s: VolumeRunSummary): VolumeRunSummary['endpoints'][number] | undefined =>
  [...s.endpoints].sort(
    (a, b) => (Number.isFinite(b.p99) ? b.p99 : Infinity) - (Number.isFinite(a.p99) ? a.p99 : Infinity),
  )[0];

/** Rows of the headline table: the slowest endpoint's p99 and the idle CPU, per backend and size. */
export function volumeSummaryRows(volume: VolumeRunSummary[] | undefined): string[] {
  const out: string[] = [];
  for (const s of volume ?? []) {
    const at = `Volume, ${s.backend}, ${sizeLabel(s)} notifications`;
    if (s.error) {
      out.push(
        row([
          `${at}`,
          s.unavailable ? 'backend not available' : `failed: ${s.error.slice(0, 120)}`,
          '',
          '',
          '',
          s.unavailable ? '–' : '**no**',
        ]),
      );
      continue;
    }
    const w = worst(s);
    out.push(
      row([
        `${at}: slowest endpoint p99 (ms)${w ? ` — ${w.name}` : ''}`,
        fmt(w?.p99 ?? NaN, 1),
        '',
        times(w?.vsSmallest ?? NaN),
        `each p99 ≤ ${VOLUME_GOALS.p99Ms} ms (${s.goalKind})`,
        yes(s.allP99Met),
      ]),
    );
    out.push(
      row([
        `${at}: idle database CPU (% of a core)`,
        fmt(s.idleDbPct, 2),
        '',
        '',
        `≤ ${VOLUME_GOALS.idleCpuPct} %`,
        yes(s.idleMet),
      ]),
    );
  }
  return out;
}

/** The volume section of the markdown report. */
export function volumeMarkdown(r: BenchResults): string[] {
  const v = r.volume;
  const s = r.summary.volume;
  if (!v || !s) return [];
  const p = r.params;
  const out: string[] = ['## 4. At volume (issue #18)', ''];
  out.push(
    `For each backend of the benchmark's FerretDB (restarted on each in turn: ${p.backends.join(', ')}) and each size (${p.volumeSizes.map((x) => fmt(x)).join(', ')} notifications), ` +
      "a fresh database gets the apps' own indexes (both compiled apps are started on it first and build them), then is pre-loaded straight with the MongoDB driver (unordered `insertMany` of " +
      `${fmt(p.volumeBatch)} documents): notifications for ${fmt(p.volumeUsers)} users, inbox sizes half even and half Zipf (s = 1.2) by user rank, so the heaviest inbox holds about 10 % ` +
      "of all (over 10,000 at 1,000,000, where most users have about 50); one direct message per notification, from one of the recipient's contacts (1 per 5 notifications, at most 200), " +
      "stored like the messages app stores them, notifications built by the notifications app's own `notificationsFor`, conversations folded like the messages app's read model; " +
      'about 80 % of the older notifications read, 2 % archived; everything seeded (bench/lib/volume-data.ts). ' +
      `Then each endpoint gets ${fmt(p.volumeRequests)} sequential requests on one keep-alive connection (after ${p.volumeWarmup} unmeasured ones; at most ${p.volumeMaxSeconds} s each, ` +
      'fewer requests are shown as such), users drawn half from the heaviest 1 % of inboxes and half from all; the cursors, notification ids, conversations and message ids come from the ' +
      'first inbox pages of the same users, each used once while there are enough (read-all and PATCH change state: each target is changed once). ' +
      `Idle CPU: CPU time of the database processes (FerretDB; with PostgreSQL also the postmaster and every backend and worker it forked) over ${p.volumeIdleSeconds} s with the data loaded and both apps running idle ` +
      "(the retention sweep, used where the server has no TTL index, runs hourly). On disk: after the load, the database's own files for SQLite (`<db>.sqlite*`), the whole cluster folder for PostgreSQL (WAL and catalogs included); `dbStats` as the server reports it.",
    '',
  );
  out.push(
    row([
      'Backend',
      'Notifications',
      'Messages',
      'Conversations',
      'Load (s)',
      'Documents/s',
      'Largest / median inbox',
      'Idle DB CPU (% core)',
      `≤ ${VOLUME_GOALS.idleCpuPct} %`,
      'Apps idle CPU (% core)',
      'On disk (MiB)',
      'dbStats totalSize (MiB)',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---:', '---:']),
  );
  for (const x of v.runs) {
    if (x.error) {
      out.push(
        row([
          x.backend,
          fmt(x.size),
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          '',
          `${x.unavailable ? 'not available' : 'failed'}: ${x.error.slice(0, 160)}`,
        ]),
      );
      continue;
    }
    out.push(
      row([
        x.backend,
        `${fmt(x.loaded.notifications)}${x.partialLoad ? ` of ${fmt(x.size)} (load time cap)` : ''}`,
        fmt(x.loaded.messages),
        fmt(x.loaded.conversations),
        fmt(x.loadSeconds, 1),
        fmt(x.loadDocsPerSecond),
        `${fmt(x.inbox.largest)} / ${fmt(x.inbox.median)}`,
        fmt(x.idle.databasePctOfCore, 2),
        yes(x.idle.databasePctOfCore <= VOLUME_GOALS.idleCpuPct),
        fmt(x.idle.appsPctOfCore, 2),
        mib(x.disk.totalBytes),
        mib(x.disk.dbStats?.totalSize ?? NaN),
      ]),
    );
  }
  out.push('');
  const ok = s.filter((x) => !x.error);
  for (const x of ok) {
    out.push(`### ${x.backend}, ${sizeLabel(x)} notifications`, '');
    out.push(
      row([
        'Endpoint',
        'Requests',
        'p50 (ms)',
        'p99 (ms)',
        'p99 heaviest 1 % / others (ms)',
        `p99 ≤ ${VOLUME_GOALS.p99Ms} ms (${x.goalKind})`,
        'p99 vs smallest size',
        'p99 vs first backend',
      ]),
      row(['---', '---:', '---:', '---:', '---:', '---', '---:', '---:']),
    );
    for (const e of x.endpoints) {
      const reqs = `${e.requests}${e.requests < e.planned ? ` of ${e.planned}${e.timeCapped ? ` (time cap ${p.volumeMaxSeconds} s)` : ''}` : ''}${e.failed ? `, **${e.failed} failed**` : ''}`;
      out.push(
        row([
          VOLUME_ENDPOINTS[e.name],
          reqs,
          fmt(e.p50, 1),
          fmt(e.p99, 1),
          `${fmt(e.heavyP99, 1)} / ${fmt(e.othersP99, 1)}`,
          yes(e.p99Met),
          times(e.vsSmallest),
          times(e.vsFirstBackend),
        ]),
      );
    }
    out.push('');
  }
  if (ok.length > 1) {
    out.push('### Side by side (p99, ms)', '');
    out.push(row(['Endpoint', ...ok.map((x) => `${x.backend} ${fmt(x.size)}`)]), row(['---', ...ok.map(() => '---:')]));
    for (const name of Object.keys(VOLUME_ENDPOINTS) as Array<keyof typeof VOLUME_ENDPOINTS>) {
      out.push(
        row([VOLUME_ENDPOINTS[name], ...ok.map((x) => fmt(x.endpoints.find((e) => e.name === name)?.p99 ?? NaN, 1))]),
      );
    }
    out.push('');
  }
  return out;
}
