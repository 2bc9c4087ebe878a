#!/usr/bin/env node
'use strict';
/**
 * Turns reports/faults.jsonl (one JSON line per fault test run, appended by test/faults/*) into a
 * markdown table: the latest figures of each fault.
 *
 *   node scripts/faults-report.js                 print the table
 *   node scripts/faults-report.js --write <file>  replace the table between the markers
 *       <!-- faults-table:start --> and <!-- faults-table:end --> in <file> (e.g. docs/guarantees.md)
 *   node scripts/faults-report.js --in <jsonl>    read another report file
 *   node scripts/faults-report.js --cluster ...   the table of the cluster tests (test/cluster: faults
 *       named in CLUSTER_FAULTS), between <!-- cluster-faults-table:start --> and
 *       <!-- cluster-faults-table:end -->; without it, the table of every other fault
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MARKERS = {
  faults: ['<!-- faults-table:start -->', '<!-- faults-table:end -->'],
  cluster: ['<!-- cluster-faults-table:start -->', '<!-- cluster-faults-table:end -->'],
};
/** Display order and label of the known faults; unknown ones follow, by name. */
const FAULTS = [
  ['consumer-crash', 'Consumer SIGKILLed mid-stream, restarted'],
  ['graceful-shutdown', 'Consumer SIGTERMed mid-stream, restarted'],
  ['rebalance', 'Second consumer joins, then leaves, mid-stream'],
  ['database-outage', 'MongoDB-wire server down 15 s mid-stream'],
  ['broker-outage', 'Kafka down while messages are accepted'],
  ['crash-after-store', 'Messages app killed after store, before publish'],
  ['poison', 'Poison records among valid events'],
  ['idempotency-key', 'Concurrent retries with one Idempotency-Key'],
  ['scale-out', '3 consumers, 6 partitions, one replaced mid-stream, SSE on each'],
];
/** Display order and label of the cluster tests' faults (test/cluster). */
const CLUSTER_FAULTS = [
  ['cluster-leader-kill', '3 brokers: the leader of most partitions SIGKILLed mid-stream, restarted'],
  ['cluster-rolling-restart', '3 brokers: each stopped (SIGTERM) and restarted in turn under traffic'],
  ['cluster-below-min-isr', '3 brokers: two down (below min.insync.replicas=2) while messages are accepted'],
  ['net-db-latency', 'Toxiproxy: database latency 200 ms ± 50 ms'],
  ['net-kafka-latency', 'Toxiproxy: Kafka latency 200 ms ± 50 ms'],
  ['net-kafka-reset', 'Toxiproxy: Kafka connections reset (TCP RST) for 2 s mid-stream'],
  ['net-db-reset', 'Toxiproxy: database connections reset (TCP RST) for 2 s mid-stream'],
  ['net-db-blackhole', 'Toxiproxy: database blackhole 10 s (all data dropped both ways)'],
  ['net-db-blackhole-long', 'Toxiproxy: database blackhole 45 s, past the driver noticing it'],
  ['net-kafka-trickle', 'Toxiproxy: Kafka bandwidth 16 KB/s each way'],
  ['limits-shared', 'Rate limit of one user over 2 instances (MongoDB store)'],
  ['limits-per-instance', 'The same with the in-memory store (control)'],
  ['kafka-tls', 'Apps on a Kafka TLS listener (CA made by the test)'],
];

/**
 * Reads the report file and keeps the latest line of each fault.
 * @param {string} file path of the JSON-lines report
 * @returns {Map<string, object>} fault name → its latest figures
 * @throws {Error} when the file is missing
 */
function latestByFault(file) {
  const latest = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      continue; // a line cut by an interrupted run
    }
    if (rec && typeof rec.fault === 'string') latest.set(rec.fault, rec);
  }
  return latest;
}

/**
 * Renders the figures as a markdown table.
 * @param {Map<string, object>} latest see latestByFault
 * @param {'faults'|'cluster'} [which] the cluster tests' faults, or every other one (default)
 * @returns {string} the table, with a line saying when the figures were recorded
 */
function renderTable(latest, which = 'faults') {
  const isCluster = (n) => CLUSTER_FAULTS.some(([k]) => k === n);
  if (which === 'cluster') {
    latest = new Map([...latest].filter(([n]) => isCluster(n)));
  } else {
    latest = new Map([...latest].filter(([n]) => !isCluster(n)));
  }
  const labels = which === 'cluster' ? CLUSTER_FAULTS : FAULTS;
  const known = labels.filter(([name]) => latest.has(name));
  const others = [...latest.keys()]
    .filter((n) => !labels.some(([k]) => k === n))
    .sort()
    .map((n) => [n, latest.get(n).details?.title || n]);
  const esc = (s) => String(s).replace(/\|/g, '\\|');
  const rows = [...known, ...others].map(([name, label]) => {
    const r = latest.get(name);
    const details = Object.entries(r.details || {})
      .filter(([k]) => k !== 'title')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    return `| ${esc(label)} (\`${name}\`) | ${r.sent} | ${r.expected} | ${r.stored} | ${r.lost} | ${r.duplicated} | ${r.dlq} | ${r.seconds} | ${esc(details)} |`;
  });
  const dates = [...latest.values()]
    .map((r) => r.at)
    .filter(Boolean)
    .sort();
  const when = dates.length
    ? `Recorded ${dates[0].slice(0, 16).replace('T', ' ')} – ${dates[dates.length - 1].slice(0, 16).replace('T', ' ')} UTC.`
    : '';
  return [
    '| Fault | Sent | Expected notifications | Stored | Lost | Duplicated | DLQ | Time (s) | Details |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    when,
  ].join('\n');
}

/**
 * Replaces the text between the markers of `file` with `table`.
 * @param {string} file
 * @param {string} table
 * @param {'faults'|'cluster'} [which] which markers
 * @throws {Error} when the markers are missing
 */
function writeInto(file, table, which = 'faults') {
  const [START, END] = MARKERS[which];
  const text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file} has no ${START} … ${END} block`);
  fs.writeFileSync(file, `${text.slice(0, a + START.length)}\n${table}\n${text.slice(b)}`);
}

function main(argv) {
  let input = path.join(ROOT, 'reports', 'faults.jsonl');
  let target;
  let which = 'faults';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--in') input = path.resolve(argv[++i]);
    else if (argv[i] === '--write') target = path.resolve(argv[++i]);
    else if (argv[i] === '--cluster') which = 'cluster';
    else throw new Error(`unknown option ${argv[i]} (use --in <jsonl> / --write <markdown file> / --cluster)`);
  }
  if (!fs.existsSync(input)) throw new Error(`${path.relative(ROOT, input)} not found: run npm run test:faults first`);
  const table = renderTable(latestByFault(input), which);
  if (target) {
    writeInto(target, table, which);
    console.log(`fault figures written into ${path.relative(ROOT, target)}`);
  } else {
    console.log(table);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`faults-report: ${err.message}`);
    process.exit(1);
  }
}

module.exports = { latestByFault, renderTable, writeInto };
