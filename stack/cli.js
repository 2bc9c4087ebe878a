#!/usr/bin/env node
'use strict';
/**
 * Local stack without Docker: a real Kafka broker (jars from Maven Central) and a real MongoDB-wire
 * server (FerretDB, built with Go, storing in a local PostgreSQL cluster or SQLite), state in `.stack/`.
 *
 *   node stack/cli.js up | down [--purge] | status | dev | test [-- jestArgs...]
 */
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const stack = require('./lib');
const { log, run, tail } = require('./lib/proc');

const ROOT = stack.paths.root;
const JEST_REPORT = path.join(ROOT, 'reports', 'jest.json');

/**
 * Compiled entry of an app: dist/apps/<name>/main.js, or dist/apps/<name>/apps/<name>/src/main.js
 * (where tsc puts it when the app also compiles files from libs/).
 * @param {string} name
 * @returns {string} path relative to the repo root
 * @throws {Error} when neither exists
 */
function appEntry(name) {
  const candidates = [path.join('dist', 'apps', name, 'main.js'),
    path.join('dist', 'apps', name, 'apps', name, 'src', 'main.js')];
  const found = candidates.find((c) => fs.existsSync(path.join(ROOT, c)));
  if (!found) throw new Error(`no compiled entry for ${name} (looked for ${candidates.join(', ')})`);
  return found;
}

/**
 * Spawns one app in the foreground, prefixing each output line with `[name]`.
 * @param {string} name app folder under dist/apps
 * @param {object} env full environment for the app
 * @returns {import('node:child_process').ChildProcess}
 * @throws {Error} when the app is not built
 */
function startApp(name, env) {
  const child = spawn(process.execPath, [appEntry(name)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
    readline.createInterface({ input: stream }).on('line', (line) => out.write(`[${name}] ${line}\n`));
  }
  child.name = name;
  return child;
}

/**
 * Prints where the apps listen and how to try them.
 * @param {object} env the apps' environment (MESSAGES_PORT / NOTIFICATIONS_PORT, default 3000 / 3001)
 */
function printDevHelp(env) {
  const m = `http://localhost:${env.MESSAGES_PORT || 3000}`;
  const n = `http://localhost:${env.NOTIFICATIONS_PORT || 3001}`;
  console.log(`
[stack] apps starting:
  messages       ${m}/api/v1   (Swagger: ${m}/docs)
  notifications  ${n}/api/v1   (Swagger: ${n}/docs)
Try it:
  TOKEN=$(npm run -s token -- alice)
  curl -X POST ${m}/api/v1/messages -H "Authorization: Bearer $TOKEN" \\
       -H 'Content-Type: application/json' -d '{"recipientIds":["bob"],"body":"hi"}'
  BOB=$(npm run -s token -- bob)
  curl ${n}/api/v1/notifications -H "Authorization: Bearer $BOB"
Ctrl-C stops the apps (the stack keeps running; npm run stack:down stops it).
`);
}

/**
 * `dev`: up, build both apps, run them in the foreground until Ctrl-C/SIGTERM or one exits.
 * @returns {Promise<number>} exit code: 0 after a signal, 1 when an app exited on its own
 */
async function dev() {
  const { env: stackVars } = await stack.up();
  log('building apps (npm run build)…');
  await run('npm', ['run', 'build'], { cwd: ROOT });
  // No JWT_SECRET of its own: the apps and `npm run token` share the config's one dev default
  // (DEV_JWT_SECRET, libs/config/src/app-config.ts) unless the caller sets one.
  const env = { ...process.env, ...stackVars };
  const apps = ['messages', 'notifications'].map((name) => startApp(name, env));
  printDevHelp(env);
  let bySignal = false;
  let stopping = false;
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const app of apps) if (app.exitCode === null && app.signalCode === null) app.kill('SIGTERM');
    setTimeout(() => apps.forEach((a) => a.exitCode === null && a.kill('SIGKILL')), 10000).unref();
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      bySignal = true;
      log(`${sig}: stopping the apps`);
      stopAll();
    });
  }
  await Promise.all(apps.map((app) => new Promise((resolve) => app.on('exit', (code, signal) => {
    if (!stopping) log(`${app.name} exited (${signal || code}); stopping the other app`);
    stopAll();
    resolve();
  }))));
  log('apps stopped; the stack is still running (npm run stack:down stops it)');
  return bySignal ? 0 : 1;
}

/**
 * `test`: uses external servers when KAFKA_BROKERS and MONGODB_URI are set, else brings the stack up
 * (and down again afterwards if this run started it); runs jest with the given args.
 * @param {string[]} jestArgs
 * @returns {Promise<number>} jest's exit code
 */
async function test(jestArgs) {
  let started = { kafka: false, mongo: false, postgres: false };
  if (!stack.isExternal()) started = (await stack.up()).started;
  const env = { ...process.env, ...stack.stackEnv(), HERALD_STACK_DIR: stack.paths.stack };
  fs.mkdirSync(path.dirname(JEST_REPORT), { recursive: true });
  fs.rmSync(JEST_REPORT, { force: true });
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  // --forceExit: a client left connecting (a kafkajs reconnect timer after a test closed its app)
  // must not keep a finished run, and CI, waiting forever; the results are already written.
  const args = [jest, ...jestArgs, '--forceExit', '--json', `--outputFile=${path.relative(ROOT, JEST_REPORT)}`];
  const ignore = () => {}; // Ctrl-C reaches jest directly; we stay to clean up
  process.on('SIGINT', ignore);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (c) => resolve(c === null ? 1 : c));
  });
  process.off('SIGINT', ignore);
  if (started.kafka || started.mongo || started.postgres) {
    log('stopping the servers this run started');
    await stack.down({ kafka: started.kafka, mongo: started.mongo, postgres: Boolean(started.postgres) });
  }
  try {
    const r = JSON.parse(fs.readFileSync(JEST_REPORT, 'utf8'));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  } catch {
    console.log(`tests: no report (${path.relative(ROOT, JEST_REPORT)} missing or unreadable)`);
  }
  return code;
}

const USAGE = 'usage: node stack/cli.js up | down [--purge] | status | dev | test [-- jestArgs...]';

/**
 * Dispatches a command.
 * @param {string} cmd
 * @param {string[]} args remaining arguments
 * @returns {Promise<number>} process exit code
 */
async function main(cmd, args) {
  switch (cmd) {
    case 'up':
      await stack.up();
      return 0;
    case 'down':
      await stack.down({ purge: args.includes('--purge') });
      return 0;
    case 'status':
      await stack.status();
      return 0;
    case 'dev':
      return dev();
    case 'test':
      return test(args[0] === '--' ? args.slice(1) : args);
    default:
      console.error(USAGE);
      return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[stack] ${err.server ? `${err.server}: ` : ''}${err.message}`);
    if (err.logFile) {
      console.error(`[stack] last 40 lines of ${err.logFile}:`);
      console.error(tail(err.logFile, 40) || '(log is empty)');
    }
    process.exit(1);
  },
);
