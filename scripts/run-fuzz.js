#!/usr/bin/env node
'use strict';
/**
 * `npm run test:fuzz`: property-based fuzzing of both apps against their OpenAPI documents with
 * schemathesis (every check: no 5xx, status codes, content types, headers and bodies as documented,
 * negative data rejected, positive data accepted, auth not ignored, 405 + Allow, ...).
 *
 * 1. installs schemathesis (pinned) into `.venv-fuzz/` with `python3 -m venv` + pip, once;
 * 2. servers: KAFKA_BROKERS + MONGODB_URI when both are set, else a stack of its own via stack/lib
 *    (state `.stack/fuzz`, Kafka 29092/29093, FerretDB 37017, its PostgreSQL 25433; env FUZZ_KAFKA_PORT,
 *    FUZZ_KAFKA_CONTROLLER_PORT, FUZZ_MONGO_PORT, FUZZ_POSTGRES_PORT), so fuzzing never joins the shared stack's
 *    `notifications` group; it is stopped afterwards unless FUZZ_KEEP_STACK=1;
 * 3. starts both apps from dist/ like a deployment (NODE_ENV=production, random JWT_SECRET, a fresh
 *    database, rate limits off since one fuzzer is one user and one IP);
 * 4. runs `st run docs/openapi/<app>.json` per app with a valid bearer token, bounded by
 *    FUZZ_MAX_EXAMPLES (default 300 per operation and phase) and FUZZ_TIMEOUT (s per app, default
 *    900; FUZZ_MAX_TIME instead makes schemathesis fuzz until that many seconds are spent);
 * 5. stops the apps, writes reports/fuzz/ (JUnit + JSON + console log per app, summary.json), prints
 *    `fuzz: N operations, M examples, K failures` and exits 1 on any failure.
 *
 * The SSE stream (endless response) is not fuzzed; test/e2e covers its authentication.
 */
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const VENV = path.join(ROOT, '.venv-fuzz');
const SCHEMATHESIS = 'schemathesis==4.32.5';
const REPORTS = path.join(ROOT, 'reports', 'fuzz');
const APPS = ['messages', 'notifications'];
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES || 300);
/** Optional schemathesis `--max-time` (s): with it, fuzzing repeats until the time is spent. */
const MAX_TIME = process.env.FUZZ_MAX_TIME;
/** Hard cap per app (s): schemathesis is stopped and the run fails when it takes longer. */
const TIMEOUT = Number(process.env.FUZZ_TIMEOUT || 900);
const SEED = process.env.FUZZ_SEED || '20261124';

const log = (m) => console.log(`[fuzz] ${m}`);

/** The venv's `st`, installing schemathesis first when missing or another version. */
function ensureSchemathesis() {
  const st = path.join(VENV, 'bin', 'st');
  const want = SCHEMATHESIS.split('==')[1];
  const have = fs.existsSync(st) ? spawnSync(st, ['--version'], { encoding: 'utf8' }).stdout || '' : '';
  if (have.includes(want)) return st;
  log(`installing ${SCHEMATHESIS} into .venv-fuzz (PyPI)…`);
  const steps = [
    ['python3', ['-m', 'venv', VENV]],
    [path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  }
  return st;
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Kafka + MongoDB-wire servers: the caller's, or a fuzz-only stack started here. */
async function servers() {
  const { KAFKA_BROKERS, MONGODB_URI } = process.env;
  if (KAFKA_BROKERS && MONGODB_URI) return { KAFKA_BROKERS, MONGODB_URI, release: async () => undefined };
  Object.assign(process.env, {
    HERALD_STACK_DIR: path.join(ROOT, '.stack', 'fuzz'),
    HERALD_STACK_CACHE_DIR: process.env.HERALD_STACK_CACHE_DIR || path.join(ROOT, '.stack'),
    STACK_KAFKA_PORT: process.env.FUZZ_KAFKA_PORT || '29092',
    STACK_KAFKA_CONTROLLER_PORT: process.env.FUZZ_KAFKA_CONTROLLER_PORT || '29093',
    STACK_MONGO_PORT: process.env.FUZZ_MONGO_PORT || '37017',
    STACK_POSTGRES_PORT: process.env.FUZZ_POSTGRES_PORT || '25433',
  });
  const stack = require(path.join(ROOT, 'stack', 'lib')); // reads HERALD_STACK_DIR when loaded
  const { started, env } = await stack.up();
  const keep = process.env.FUZZ_KEEP_STACK === '1';
  return {
    ...env,
    release: async () => {
      if (!keep && (started.kafka || started.mongo)) await stack.down({ kafka: started.kafka, mongo: started.mongo });
    },
  };
}

/** `mongodb://host:port/db?x` with the database replaced. */
function withDatabase(uri, db) {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`cannot parse MONGODB_URI ${uri}`);
  return `${m[1]}/${db}${m[3] || ''}`;
}

/** HS256 JWT (RFC 7519) for `sub`, signed with the apps' secret. */
function token(sub, secret) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat: now, exp: now + 4 * 3600 })}`;
  return `${unsigned}.${crypto.createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** Starts a built app and waits for /health/live. */
async function startApp(name, env) {
  const entry = path.join(ROOT, 'dist', 'apps', name, 'apps', name, 'src', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${path.relative(ROOT, entry)} is missing: run \`npm run build\``);
  const logFile = path.join(REPORTS, `${name}.log`);
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', out, out],
  });
  const port = env[name === 'messages' ? 'MESSAGES_PORT' : 'NOTIFICATIONS_PORT'];
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited (${child.exitCode}); see ${path.relative(ROOT, logFile)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, url: `http://127.0.0.1:${port}` };
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} not ready after 90 s; see ${path.relative(ROOT, logFile)}`);
}

/** Stops an app (SIGTERM, SIGKILL after 15 s). */
async function stopApp(app) {
  if (!app || app.child.exitCode !== null) return;
  const exited = new Promise((r) => app.child.once('exit', r));
  app.child.kill('SIGTERM');
  const t = setTimeout(() => app.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

/** Runs schemathesis for one app; resolves to its figures from the JSON report. */
function runSchemathesis(st, name, url, bearer) {
  const config = path.join(__dirname, 'schemathesis.toml');
  const args = [
    ...(fs.existsSync(config) ? ['--config-file', config] : []),
    'run',
    path.join(ROOT, 'docs', 'openapi', `${name}.json`),
    '--url',
    url,
    '--checks',
    'all',
    '--max-examples',
    String(MAX_EXAMPLES),
    ...(MAX_TIME ? ['--max-time', MAX_TIME] : []),
    '--seed',
    SEED,
    '--header',
    `Authorization: Bearer ${bearer}`,
    '--exclude-path-regex',
    '/stream$',
    '--request-timeout',
    '15',
    '--workers',
    '1',
    '--max-response-time',
    '10',
    '--report',
    'junit,json',
    '--report-dir',
    REPORTS,
    '--report-junit-path',
    path.join(REPORTS, `${name}.junit.xml`),
    '--report-json-path',
    path.join(REPORTS, `${name}.json`),
  ];
  // schemathesis's own console output goes to a log file: its pytest-style closing line
  // ("== 2 warnings in 85.96s ==") would otherwise be read by CI as a test runner's summary.
  const logFile = path.join(REPORTS, `${name}.schemathesis.log`);
  const out = fs.openSync(logFile, 'w');
  return new Promise((resolve) => {
    const child = spawn(st, args, { cwd: ROOT, stdio: ['ignore', out, out] });
    const timer = setTimeout(() => {
      log(`${name}: still running after ${TIMEOUT} s, stopping it`);
      child.kill('SIGTERM');
    }, TIMEOUT * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fs.closeSync(out);
      if (code !== 0) printFailures(logFile);
      resolve({ code: code ?? 1, ...figures(path.join(REPORTS, `${name}.json`)) });
    });
  });
}

/** On a failed run: the failure section of schemathesis's log, without its closing summary lines. */
function printFailures(logFile) {
  const lines = fs.readFileSync(logFile, 'utf8').split('\n');
  const from = lines.findIndex((l) => /FAILURES|ERRORS/.test(l));
  const shown = (from >= 0 ? lines.slice(from) : lines.slice(-60)).filter((l) => !/^=+ .* =+$/.test(l.trim()));
  log(`schemathesis output (${path.relative(ROOT, logFile)}):`);
  for (const l of shown.slice(0, 200)) console.log(`  ${l}`);
}

/** Operations, examples and failures of a schemathesis JSON report (zeros when unreadable). */
function figures(file) {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    return require('./fuzz-report').summarize(r);
  } catch {
    return { operations: 0, examples: 0, failures: 0, serverErrors: 0, byCode: {} };
  }
}

async function main() {
  fs.mkdirSync(REPORTS, { recursive: true });
  const st = ensureSchemathesis();
  const srv = await servers();
  const secret = crypto.randomBytes(32).toString('hex');
  const [mp, np] = [await freePort(), await freePort()];
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
    KAFKA_BROKERS: srv.KAFKA_BROKERS,
    MONGODB_URI: withDatabase(srv.MONGODB_URI, `herald_fuzz_${Date.now()}`),
    MESSAGES_PORT: String(mp),
    NOTIFICATIONS_PORT: String(np),
    RATE_LIMIT_ENABLED: 'false',
  };
  const running = {};
  const results = {};
  try {
    for (const name of APPS) running[name] = await startApp(name, env);
    const bearer = token('fuzzer', secret);
    for (const name of APPS) {
      log(
        `${name}: schemathesis on ${running[name].url} (≤ ${MAX_EXAMPLES} examples per operation and phase, ≤ ${TIMEOUT} s)`,
      );
      results[name] = await runSchemathesis(st, name, running[name].url, bearer);
    }
  } finally {
    for (const name of APPS) await stopApp(running[name]);
    await srv.release();
  }
  const total = { operations: 0, examples: 0, failures: 0, serverErrors: 0 };
  for (const r of Object.values(results)) for (const k of Object.keys(total)) total[k] += r[k];
  for (const [name, r] of Object.entries(results)) {
    log(
      `${name}: ${r.operations} operations, ${r.examples} examples, ${r.failures} failures${Object.keys(r.byCode || {}).length ? ` ${JSON.stringify(r.byCode)}` : ''}`,
    );
  }
  const failed = Object.values(results).some((r) => r.code !== 0) || total.failures > 0;
  fs.writeFileSync(
    path.join(REPORTS, 'summary.json'),
    `${JSON.stringify({ at: new Date().toISOString(), seed: SEED, maxExamples: MAX_EXAMPLES, apps: results, total }, null, 2)}\n`,
  );
  console.log(
    `fuzz: ${total.operations} operations, ${total.examples} examples, ${total.failures} failures (5xx: ${total.serverErrors})`,
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[fuzz] ${err.stack || err.message}`);
    process.exit(1);
  },
);
