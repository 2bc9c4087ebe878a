import { SWEEP_P99_MS } from '../suites/e2e';
import { FLAT_MB_PER_MIN } from '../suites/soak';
import { fmt } from './stats';
import type { BenchResults } from './summary';
import { Panel } from './svg';
import { e2eCpuMsPerMessage, ingestCpuMs, WRITE_GOALS } from './write-summary';

const row = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
const cpu = (c: Record<string, number> | undefined): string =>
  Object.entries(c ?? {})
    .map(([k, v]) => `${k} ${fmt(v, 1)}`)
    .join(', ');
const rss = (r: Record<string, { maxMb: number; endMb: number }> | undefined): string =>
  Object.entries(r ?? {})
    .map(([k, v]) => `${k} ${fmt(v.maxMb)} (end ${fmt(v.endMb)})`)
    .join(', ');

/** The goals table of issue #12 (also printed to the console). */
export function writeGoalsTable(r: BenchResults): string[] {
  const goals = r.summary.write?.goals ?? [];
  if (!goals.length) return [];
  const met = (g: (typeof goals)[number]): string =>
    g.met === undefined
      ? '–'
      : `${g.met ? 'yes' : '**no**'}${g.atGoalLoad ? '' : " (smaller load than the goal's: indicative)"}`;
  return [
    row(['Write-path goal (issue #12)', 'Target', 'Measured', 'Ran at', 'Met']),
    row(['---', '---', '---', '---', '---']),
    ...goals.map((g) => row([g.goal, g.target, g.measured, g.ranAt, met(g)])),
  ];
}

/** Markdown section after the headline table: the issue #12 goals. */
export function writeGoalsMarkdown(r: BenchResults): string[] {
  const t = writeGoalsTable(r);
  return t.length
    ? [
        '## Write-path goals (issue #12)',
        '',
        ...t,
        '',
        'Options of these runs: `--single-seconds 10 --e2e-senders 50 --sweep-rates 300,400,500,700,1000` (`none`: no sweep) `--sweep-seconds 20 --soak-minutes 10 --soak-rate 200 --soak-sample-seconds 10`; ' +
          '`--suites soak` runs the soak alone.',
        '',
      ]
    : [];
}

/** Ingest section addition: the 1-connection runs, CPU per request and RSS of each side. */
export function ingestExtraMarkdown(r: BenchResults): string[] {
  const runs = r.ingest ?? [];
  if (!runs.length) return [];
  const out: string[] = [];
  out.push(
    `After each 50-connection run, the same warm process takes ${fmt(r.params.ingestSingleSeconds ?? NaN)} s of autocannon with **one connection** ` +
      "(one request at a time: the latency of a single POST, 1 ms resolution). CPU per request = CPU seconds of the side's process (user + system, `/proc/<pid>/stat`) / 2xx answers of the run; " +
      'RSS = `VmRSS` of `/proc/<pid>/status`, sampled every 5 s over warm-up and both runs.',
    '',
  );
  out.push(
    row([
      'Run',
      'Side',
      '1-conn req/s',
      '1-conn p50 (ms)',
      '1-conn p99 (ms)',
      '1-conn max (ms)',
      '1-conn non-2xx / errors',
      'CPU ms/request (50 conn)',
      'CPU ms/request (1 conn)',
      'RSS max / end (MB)',
    ]),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  );
  for (const x of runs) {
    const c = ingestCpuMs(x);
    const s = x.single;
    out.push(
      row([
        x.run,
        x.side,
        fmt(s?.requestsPerSecond ?? NaN),
        s?.latencyP50Ms ?? '–',
        s?.latencyP99Ms ?? '–',
        s?.latencyMaxMs ?? '–',
        s ? `${s.non2xx} / ${s.errors}` : '–',
        fmt(c.many, 2),
        fmt(c.single, 2),
        x.rss ? `${fmt(x.rss.maxMb)} / ${fmt(x.rss.endMb)}` : '–',
      ]),
    );
  }
  out.push('');
  return out;
}

/** End-to-end section addition: CPU and RSS of the sustained runs, then the rate sweep. */
export function e2eExtraMarkdown(r: BenchResults): string[] {
  const all = r.e2e ?? [];
  const sustained = all.filter((x) => (x.kind ?? 'sustained') === 'sustained' && x.cpuSeconds);
  const out: string[] = [];
  if (sustained.length) {
    out.push(
      'CPU per message = CPU seconds of each app from the start of the measured load until its last notification arrived / accepted messages (2 notifications each); RSS sampled every 5 s.',
      '',
    );
    out.push(
      row([
        'Rate (msg/s)',
        'Run',
        'messages app CPU ms/message',
        'notifications app CPU ms/message',
        'CPU seconds',
        'RSS max (end) MB',
      ]),
      row(['---:', '---', '---:', '---:', '---', '---']),
    );
    for (const x of sustained)
      out.push(
        row([
          x.rate,
          x.run,
          fmt(e2eCpuMsPerMessage(x, 'messages'), 2),
          fmt(e2eCpuMsPerMessage(x, 'notifications'), 2),
          cpu(x.cpuSeconds),
          rss(x.rss),
        ]),
      );
    out.push('');
  }
  const steps = all.filter((x) => x.kind === 'sweep');
  if (steps.length) {
    const best = r.summary.write?.highestPassingRate ?? NaN;
    out.push('### Rate sweep', '');
    out.push(
      `One pair of apps (fresh database) takes each rate of ${r.params.e2eSweepRates.join(', ')} msg/s for ${fmt(r.params.e2eSweepSeconds)} s, in ascending order, after a gentle warm-up; ` +
        `every notification of a step arrives before the next starts. The sweep stops after the first step whose p99 is above ${SWEEP_P99_MS} ms, that lost notifications or that was overloaded. ` +
        `Highest passing rate: **${Number.isFinite(best) ? `${fmt(best)} msg/s` : 'none'}** (goal ≥ ${WRITE_GOALS.sweepRate} msg/s).`,
      '',
    );
    out.push(
      row([
        'Rate (msg/s)',
        'Messages',
        'Notifications',
        'p50 (ms)',
        'p99 (ms)',
        'max (ms)',
        'HTTP p50 / p99 (ms)',
        'Achieved (msg/s)',
        'messages / notifications CPU ms/message',
        'RSS max (end) MB',
        'Overloaded',
        `p99 ≤ ${SWEEP_P99_MS} ms`,
      ]),
      row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---', '---']),
    );
    for (const x of steps) {
      out.push(
        row([
          x.rate,
          x.messages,
          `${x.received}/${x.expected}`,
          fmt(x.p50Ms, 1),
          fmt(x.p99Ms, 1),
          fmt(x.maxMs, 1),
          `${fmt(x.httpP50Ms, 1)} / ${fmt(x.httpP99Ms, 1)}`,
          fmt(x.achievedRate),
          `${fmt(e2eCpuMsPerMessage(x, 'messages'), 2)} / ${fmt(e2eCpuMsPerMessage(x, 'notifications'), 2)}`,
          rss(x.rss),
          x.overloaded ? `yes: stopped after ${fmt(x.stoppedAfterS, 1)} s, ${x.notSent} not sent` : 'no',
          x.p99Ms <= SWEEP_P99_MS && !x.overloaded && x.received >= x.expected ? 'yes' : '**no**',
        ]),
      );
    }
    out.push('');
  }
  return out;
}

/** The soak section. */
export function soakMarkdown(r: BenchResults): string[] {
  const s = r.soak;
  if (!s) return [];
  const out: string[] = ['## Soak', ''];
  out.push(
    `Both apps (fresh database) at ${fmt(s.rate)} msg/s for ${fmt(s.minutes, s.minutes < 1 ? 1 : 0)} min from ${s.senders} senders round-robin, after a gentle warm-up. ` +
      `\`VmRSS\` of each app every ${s.sampleSeconds} s; slopes are least-squares fits over the last ${fmt(s.slopeWindowMinutes, 1)} min (the first minutes are start-up: JIT, pools, caches), ` +
      "of every sample and of the floor (the lowest sample of each eighth of that window: RSS after a garbage collection, which a leak raises and the heap's saw tooth does not); " +
      `"flat" = floor slope within ±${FLAT_MB_PER_MIN} MB/min (at 200 msg/s, under ~90 bytes kept per message). ` +
      `Accepted ${fmt(s.accepted)} of ${fmt(s.messages)} messages (${fmt(s.achievedRate)} msg/s achieved${s.overloaded ? `, overloaded: ${s.notSent} not sent` : ''}), ` +
      `**${fmt(s.received)}/${fmt(s.expected)} notifications arrived**, ${s.non2xx} non-2xx, ${s.errors} errors. CPU seconds: ${cpu(s.cpuSeconds)}.`,
    '',
  );
  out.push(
    row([
      'App',
      'RSS start (MB)',
      'RSS end (MB)',
      'RSS max (MB)',
      'Slope, all samples (MB/min)',
      'Slope, floor (MB/min)',
      'Flat',
      'Heap used start → end, max (MB)',
      'Heap floor slope (MB/min)',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---:']),
  );
  for (const [app, m] of Object.entries(s.memory)) {
    out.push(
      row([
        app,
        fmt(m.startMb),
        fmt(m.endMb),
        fmt(m.maxMb),
        fmt(m.slopeMbPerMin, 2),
        fmt(m.floorSlopeMbPerMin ?? NaN, 2),
        m.flat ? 'yes' : '**no**',
        m.heap ? `${fmt(m.heap.startMb)} → ${fmt(m.heap.endMb)}, ${fmt(m.heap.maxMb)}` : '–',
        fmt(m.heap?.floorSlopeMbPerMin ?? NaN, 2),
      ]),
    );
  }
  out.push(
    '',
    "Heap used = prom-client's `nodejs_heap_size_used_bytes` from each app's `GET /metrics`, sampled with the RSS: a rising heap floor points at objects kept by the app, a rising RSS with a flat heap at the allocator or buffers.",
  );
  out.push(
    '',
    row(['Minute', 'Notifications', 'p50 (ms)', 'p99 (ms)', 'max (ms)']),
    row(['---:', '---:', '---:', '---:', '---:']),
  );
  for (const m of s.perMinute)
    out.push(row([m.minute, fmt(m.notifications), fmt(m.p50Ms, 1), fmt(m.p99Ms, 1), fmt(m.maxMs, 1)]));
  out.push(
    '',
    `RSS samples (s: messages / notifications MB): ${s.samples.map((x) => `${fmt(x.tS)}: ${fmt(x.mb.messages)} / ${fmt(x.mb.notifications)}`).join(', ')}.`,
    '',
  );
  return out;
}

/** Chart panels: the sweep's p50/p99 per rate and the soak's RSS per minute. */
export function writePanels(r: BenchResults): Panel[] {
  const panels: Panel[] = [];
  const steps = (r.e2e ?? []).filter((x) => x.kind === 'sweep');
  if (steps.length) {
    panels.push({
      title: 'End-to-end rate sweep',
      unit: 'ms',
      log: true,
      series: ['p50', 'p99'],
      goal: { value: SWEEP_P99_MS, label: `p99 ≤ ${SWEEP_P99_MS} ms` },
      groups: steps.map((x) => ({ label: `${x.rate}/s`, values: [x.p50Ms, x.p99Ms] })),
    });
  }
  const s = r.soak;
  if (s && s.samples.length) {
    const minutes = Math.max(1, Math.ceil(s.minutes));
    const groups = Array.from({ length: minutes + 1 }, (_, m) => {
      const near = s.samples.reduce((a, b) => (Math.abs(b.tS - m * 60) < Math.abs(a.tS - m * 60) ? b : a));
      return { label: `${m} min`, values: [near.mb.messages, near.mb.notifications] };
    });
    panels.push({ title: 'Soak: RSS of each app', unit: 'MB', series: ['messages', 'notifications'], groups });
  }
  return panels;
}
