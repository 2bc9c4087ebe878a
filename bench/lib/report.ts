import fs from 'node:fs';
import path from 'node:path';
import { e2eExtraMarkdown, ingestExtraMarkdown, soakMarkdown, writeGoalsMarkdown, writePanels } from './write-report';
import { fmt } from './stats';
import { GOALS, BenchResults } from './summary';
import { SWEEP_P99_MS } from '../suites/e2e';
import { Panel, renderChart } from './svg';
import { volumeMarkdown, volumeSummaryRows } from './volume-report';
import { VOLUME_GOALS } from './volume-summary';

const row = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
const yes = (ok: boolean): string => (ok ? 'yes' : '**no**');
const cpu = (c: Record<string, number>): string =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${fmt(v, 1)}`)
    .join(', ');

/** The headline table (also printed to the console). */
export function summaryTable(r: BenchResults): string[] {
  const s = r.summary;
  const lines = [
    row(['Benchmark', 'Herald', 'Baseline', 'Herald/baseline', 'Goal', 'Met']),
    row(['---', '---:', '---:', '---:', '---', '---']),
  ];
  if (s.consumer) {
    lines.push(
      row([
        'Consumer catch-up (notifications/s)',
        fmt(s.consumer.heraldPerSecond),
        fmt(s.consumer.baselinePerSecond),
        fmt(s.consumer.ratio, 2),
        `ratio ≥ ${GOALS.consumerRatio}`,
        yes(s.consumer.goalMet),
      ]),
    );
  }
  if (s.ingest) {
    const { herald: h, baseline: b } = s.ingest;
    lines.push(
      row([
        'HTTP ingest (requests/s)',
        fmt(h.rps),
        fmt(b.rps),
        fmt(s.ingest.ratio, 2),
        'errors = 0',
        yes(s.ingest.failedRequests === 0),
      ]),
    );
    lines.push(
      row([
        'HTTP ingest latency p50 / p99 (ms)',
        `${fmt(h.p50, 1)} / ${fmt(h.p99, 1)}`,
        `${fmt(b.p50, 1)} / ${fmt(b.p99, 1)}`,
        '',
        '',
        '',
      ]),
    );
  }
  for (const e of s.e2e ?? []) {
    const note = e.overloadedRuns ? ` (overloaded: ${fmt(e.achievedRate)} msg/s achieved)` : '';
    const sweep = e.kind === 'sweep';
    lines.push(
      row([
        `End-to-end latency${sweep ? ', sweep step' : ''} at ${e.rate} msg/s, p50 / p99 / max (ms)${note}`,
        `${fmt(e.p50, 1)} / ${fmt(e.p99, 1)} / ${fmt(e.max, 1)}`,
        '',
        '',
        `p99 ≤ ${sweep ? SWEEP_P99_MS : GOALS.e2eP99Ms} ms`,
        yes(e.goalMet),
      ]),
    );
  }
  lines.push(...volumeSummaryRows(s.volume));
  return lines;
}

/** Chart panels: throughput per run (consumer, ingest) and latency per run (ingest, end-to-end). */
export function chartPanels(r: BenchResults): Panel[] {
  const panels: Panel[] = [];
  const runsOf = <T extends { run: number }>(xs: T[]): number[] =>
    [...new Set(xs.map((x) => x.run))].sort((a, b) => a - b);
  const pick = <T extends { run: number; side?: string }>(
    xs: T[],
    run: number,
    side: string,
    f: (x: T) => number,
  ): number => {
    const x = xs.find((y) => y.run === run && y.side === side);
    return x ? f(x) : NaN;
  };
  const c = r.consumer?.runs.filter((x) => !x.profiled);
  if (c?.length) {
    panels.push({
      title: 'Consumer catch-up throughput',
      unit: 'notifications/s',
      series: ['Herald', 'baseline'],
      groups: runsOf(c).map((run) => ({
        label: `run ${run}`,
        values: ['herald', 'baseline'].map((s) => pick(c, run, s, (x) => x.perSecond)),
      })),
    });
  }
  const i = r.ingest;
  if (i?.length) {
    panels.push({
      title: 'HTTP ingest throughput',
      unit: 'requests/s',
      series: ['Herald', 'baseline'],
      groups: runsOf(i).map((run) => ({
        label: `run ${run}`,
        values: ['herald', 'baseline'].map((s) => pick(i, run, s, (x) => x.requestsPerSecond)),
      })),
    });
    panels.push({
      title: 'HTTP ingest latency',
      unit: 'ms',
      log: true,
      series: ['Herald p50', 'Herald p99', 'baseline p50', 'baseline p99'],
      groups: runsOf(i).map((run) => ({
        label: `run ${run}`,
        values: [
          pick(i, run, 'herald', (x) => x.latencyP50Ms),
          pick(i, run, 'herald', (x) => x.latencyP99Ms),
          pick(i, run, 'baseline', (x) => x.latencyP50Ms),
          pick(i, run, 'baseline', (x) => x.latencyP99Ms),
        ],
      })),
    });
  }
  panels.push(...writePanels(r));
  const e = r.e2e?.filter((x) => (x.kind ?? 'sustained') === 'sustained');
  if (e?.length) {
    panels.push({
      title: 'End-to-end latency (POST → notification)',
      unit: 'ms',
      log: true,
      series: ['p50', 'p99', 'max'],
      goal: { value: GOALS.e2eP99Ms, label: `goal p99 ≤ ${GOALS.e2eP99Ms} ms` },
      groups: e.map((x) => ({ label: `${x.rate}/s #${x.run}`, values: [x.p50Ms, x.p99Ms, x.maxMs] })),
    });
  }
  const v = r.summary.volume?.filter((x) => !x.error && x.endpoints.length);
  if (v?.length) {
    panels.push({
      title: 'At volume: p99 per endpoint',
      unit: 'ms',
      log: true,
      series: v.map((x) => `${x.backend} ${fmt(x.size)}`),
      goal: { value: VOLUME_GOALS.p99Ms, label: `goal p99 ≤ ${VOLUME_GOALS.p99Ms} ms` },
      groups: v[0].endpoints.map((e) => ({
        label: e.name,
        values: v.map((x) => x.endpoints.find((y) => y.name === e.name)?.p99 ?? NaN),
      })),
    });
  }
  return panels;
}

/** Full markdown report. `chartFile` is the SVG's name next to the markdown file. */
export function markdown(r: BenchResults, chartFile: string, jsonFile: string): string {
  const p = r.params;
  const m = r.machine;
  const out: string[] = [];
  out.push('# Herald benchmarks', '');
  const tree = m.gitUncommitted > 0 ? ` + ${m.gitUncommitted} uncommitted paths` : '';
  out.push(
    `Generated by \`npm run bench${p.mode === 'smoke' ? ':smoke' : ''}\` on ${m.date} (commit ${m.gitCommit}${tree}), in ${fmt(r.durationSeconds / 60, 1)} min. ` +
      `Raw results: [${jsonFile}](${jsonFile}). Each figure is the median of ${p.runs} run(s); each ratio is the median of per-run ratios ` +
      'whose two sides ran back to back in the same invocation (order alternating per run).',
    '',
  );
  out.push(...summaryTable(r), '');
  out.push(...writeGoalsMarkdown(r));
  if (r.problems.length) out.push('**Correctness problems:**', '', ...r.problems.map((x) => `- ${x}`), '');
  out.push(`![throughput and latency per run](${chartFile})`, '');
  out.push('## Machine and versions', '');
  out.push(row(['Item', 'Value']), row(['---', '---']));
  out.push(
    row(['CPUs (nproc)', m.nproc]),
    row(['Memory', `${m.memoryGiB} GiB`]),
    row(['CPU model', m.cpuModel]),
    row(['OS', m.os]),
  );
  if (m.loadAverage) {
    const la = (v?: number[]): string => (v ? v.join(' / ') : '?');
    out.push(
      row([
        'Load average 1 / 5 / 15 min, start → end',
        `${la(m.loadAverage.start)} → ${la(m.loadAverage.end)} (above ~2 means other work competed for the 2 CPUs)`,
      ]),
    );
  }
  for (const [k, v] of Object.entries(m.versions)) out.push(row([k, v]));
  out.push(
    row([
      'Servers',
      r.servers === 'bench-stack'
        ? "the benchmark's own local stack (Kafka + FerretDB on separate ports, `.stack/bench`)"
        : 'external (KAFKA_BROKERS / MONGODB_URI)',
    ]),
  );
  out.push(
    '',
    'All processes (Kafka, FerretDB, the apps under test, the load generator) share the same CPUs: figures are for comparing runs on this machine, not capacity planning.',
    '',
  );
  out.push('## Parameters', '', '```json', JSON.stringify(p, null, 2), '```', '');
  if (r.consumer) {
    const s = r.summary.consumer!;
    out.push('## 1. Consumer catch-up', '');
    out.push(
      `${fmt(p.consumerEvents)} \`message.created\` v1 events (2 recipients each, key = conversationId, built by the messages app's own mapper) are pre-loaded into ` +
        `${p.partitions} partitions (in ${fmt(r.consumer.preloadMs / 1000, 1)} s). Time = from process spawn until the group has committed every record ` +
        `and \`countDocuments\` finds all ${fmt(2 * p.consumerEvents)} notifications. **Herald**: the compiled notifications app as built (Nest's Kafka transport in group \`notifications\` ` +
        `with Herald's \`eachBatch\` strategy, event validation, one unordered \`insertMany\` per batch of up to 500 events, a \`notification.created\` push per notification, ` +
        `and the app's own broadcast consumer reading those pushes), fresh database. ` +
        '**Baseline**: raw kafkajs `eachBatch` + one unordered MongoDB-driver `bulkWrite` of `insertOne`s per fetched batch, same documents, no validation, no push event, ' +
        (p.baselineIndexes === 'unique'
          ? "into a collection with only the unique (eventId, recipientId) index (Herald's has four more: a cheaper write path than Herald's, a floor)."
          : "into a collection with the same indexes as Herald's inbox (`NotificationSchema.indexes()`: the unique (eventId, recipientId) index and the four recipient-first compound indexes of the inbox queries), so both sides pay the same index maintenance. `BENCH_BASELINE_INDEXES=unique` measures the baseline with the unique index only."),
      '',
    );
    if (p.mode === 'full' && p.consumerEvents < 100_000) {
      out.push(
        `Size reduced from the issue's 100,000 events so that the whole benchmark fits in about 20 minutes on this machine: at Herald's catch-up speed here, 100,000 events take about ${fmt(2e5 / s.heraldPerSecond / 60, 0)} min per run (\`-- --events 100000\` runs the full size).`,
        '',
      );
    }
    out.push(
      row(['Run', 'Side', 'notifications/s', 'Total (s)', 'First stored after (s)', 'CPU seconds']),
      row(['---', '---', '---:', '---:', '---:', '---']),
    );
    for (const x of r.consumer.runs)
      out.push(
        row([
          x.run,
          x.side,
          fmt(x.perSecond),
          fmt(x.totalMs / 1000, 1),
          fmt(x.firstStoredMs / 1000, 1),
          cpu(x.cpuSeconds),
        ]),
      );
    out.push(
      '',
      `Per-run ratios: ${s.runRatios.map((x) => fmt(x, 3)).join(', ')}. Median CPU seconds — Herald: ${cpu(s.heraldCpu)}; baseline: ${cpu(s.baselineCpu)}.`,
      '',
    );
  }
  if (r.ingest) {
    out.push('## 2. HTTP ingest', '');
    out.push(
      `autocannon, ${p.ingestConnections} connections, ${p.ingestSeconds} s (after ${p.ingestWarmupSeconds} s warm-up), \`POST /api/v1/messages\` with an HS256 token and 2 recipients. ` +
        '**Herald**: the compiled messages app as built (the whole request path: Nest on Fastify, JWT guard, validation, the group commit of outbox entry, `insertMany` and idempotent ClientKafka send with acks -1, outbox bookkeeping; rate limiting off), with its `conversations` projection consuming the same events in the same process. ' +
        '**Baseline**: bench/baseline/ingest-server.ts, a bare Fastify route doing one driver `insertOne` and one kafkajs `send` (acks -1). ' +
        'Each side runs on a fresh database and empty topics, so the projection reads only what its run sends.',
      '',
    );
    out.push(
      row([
        'Run',
        'Side',
        'req/s',
        'p50 (ms)',
        'p99 (ms)',
        'max (ms)',
        '2xx',
        'non-2xx',
        'errors (timeouts)',
        'stored',
        'CPU seconds',
      ]),
      row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
    );
    for (const x of r.ingest) {
      out.push(
        row([
          x.run,
          x.side,
          fmt(x.requestsPerSecond),
          x.latencyP50Ms,
          x.latencyP99Ms,
          x.latencyMaxMs,
          x.requests2xx,
          x.non2xx,
          `${x.errors} (${x.timeouts})`,
          x.stored,
          cpu(x.cpuSeconds),
        ]),
      );
    }
    out.push('', `Per-run ratios (req/s): ${r.summary.ingest!.runRatios.map((x) => fmt(x, 3)).join(', ')}.`, '');
    out.push(...ingestExtraMarkdown(r));
  }
  if (r.e2e) {
    out.push('## 3. End-to-end latency', '');
    out.push(
      `Open-loop load of a fixed number of messages/s for ${p.e2eSeconds} s (after ${p.e2eWarmupSeconds} s of warm-up at ≤ 20/s) to the messages app` +
        `${p.e2eSenders ? ` from ${p.e2eSenders} senders round-robin (each with its own conversation and two recipients, so the load spreads over partitions)` : ''}; the notifications app runs beside it, each run on fresh apps and database. ` +
        'Latency = from the time each POST was due (so a slow server cannot hide queueing) until its `notification.created` record, which the notifications app publishes right after storing, ' +
        'reaches a benchmark consumer; one sample per notification (2 per message). A run whose server falls 1,000 requests behind stops sending and is marked overloaded. ' +
        (p.e2eAlsoSustainable
          ? `When Herald's measured ingest throughput is below ${p.e2eRate}/s, a second rate (half of it) shows the latency at a load it sustains.`
          : ''),
      '',
    );
    out.push(
      row([
        'Rate (msg/s)',
        'Run',
        'Messages',
        'Notifications',
        'p50 (ms)',
        'p99 (ms)',
        'max (ms)',
        'HTTP p50 / p99 (ms)',
        'Achieved (msg/s)',
        'non-2xx',
        'errors',
        'Overloaded',
      ]),
      row(['---:', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
    );
    for (const x of r.e2e.filter((y) => (y.kind ?? 'sustained') === 'sustained')) {
      out.push(
        row([
          x.rate,
          x.run,
          x.messages,
          `${x.received}/${x.expected}`,
          fmt(x.p50Ms, 1),
          fmt(x.p99Ms, 1),
          fmt(x.maxMs, 1),
          `${fmt(x.httpP50Ms, 1)} / ${fmt(x.httpP99Ms, 1)}`,
          fmt(x.achievedRate),
          x.non2xx,
          x.errors,
          x.overloaded ? `yes: stopped after ${fmt(x.stoppedAfterS, 1)} s, ${x.notSent} not sent` : 'no',
        ]),
      );
    }
    out.push('', ...e2eExtraMarkdown(r));
  }
  out.push(...volumeMarkdown(r));
  const prof = r.consumer?.profile;
  if (prof) {
    out.push('## Where the Herald consumer spends its CPU time', '');
    out.push(
      `One extra, untimed catch-up run under \`node --cpu-prof\` (${fmt(prof.run.perSecond)} notifications/s while profiled; ${fmt(prof.sampledMs / 1000, 1)} s sampled; ` +
        'the profile is in the gitignored bench/results/profiles/). Self time by group:',
      '',
    );
    out.push(row(['Group', 'Self time (s)', 'Share']), row(['---', '---:', '---:']));
    for (const g of prof.groups) out.push(row([g.name, fmt(g.ms / 1000, 2), `${fmt(g.pct, 1)} %`]));
    out.push(
      '',
      'Top functions by self time:',
      '',
      row(['Function', 'Where', 'Group', 'Self (s)', 'Share']),
      row(['---', '---', '---', '---:', '---:']),
    );
    for (const f of prof.top)
      out.push(
        row([`\`${f.name}\``, f.where ? `\`${f.where}\`` : '', f.group, fmt(f.ms / 1000, 2), `${fmt(f.pct, 1)} %`]),
      );
    out.push('');
  }
  out.push(...soakMarkdown(r));
  const findings = path.join(__dirname, '..', 'findings.md');
  if (fs.existsSync(findings)) out.push(fs.readFileSync(findings, 'utf8').trim(), '');
  out.push(
    '## Reproduce',
    '',
    '```sh',
    'npm run bench         # full sizes, writes docs/benchmarks.{md,json,svg}',
    'npm run bench:smoke   # small sizes, writes bench/results/smoke.{md,json,svg}',
    '```',
    '',
  );
  out.push(
    'Options: `-- --runs 5 --events 200000 --suites consumer,ingest,e2e,volume --no-profile --keep-stack`; volume: `--volume-sizes 100000,1000000 --backends sqlite,postgresql ' +
      '--volume-requests 500 --volume-max-seconds 60 --volume-idle-seconds 30`. Without KAFKA_BROKERS / MONGODB_URI the benchmark starts its own Kafka and FerretDB ' +
      '(`.stack/bench`, ports 19092/19093 and 28017) so that pre-loading `message.created` and consuming in group `notifications` never disturb tests on the shared stack, and stops them afterwards.',
    '',
  );
  return out.join('\n');
}

/** Writes `<base>.md`, `<base>.json` and `<base>.svg` (base is an absolute path without extension). */
export function writeReports(r: BenchResults, base: string): string[] {
  fs.mkdirSync(path.dirname(base), { recursive: true });
  const name = path.basename(base);
  const files = [`${base}.json`, `${base}.svg`, `${base}.md`];
  fs.writeFileSync(files[0], `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(
    files[1],
    renderChart(`Herald benchmarks (${r.params.mode}, ${r.machine.date.slice(0, 10)})`, chartPanels(r)),
  );
  fs.writeFileSync(files[2], markdown(r, `${name}.svg`, `${name}.json`));
  return files;
}
