'use strict';
/**
 * The dev runner behind `npm run dev [-- [messages|notifications] [--no-watch]]`: brings the stack up
 * (or reuses it), builds and runs the apps in the foreground, one readable console.
 *
 * - Watch mode (default): one `nest build <app> --watch` per app (the Nest CLI's TypeScript watch
 *   compiler, with its path-alias rewriting). Each app's program holds its own sources and the libs
 *   it compiles (`apps/<app>/tsconfig.app.json`), so an edit restarts only the app(s) whose program
 *   it is in; a compile error keeps the running version. `--no-watch`: `nest build <app>` once per app.
 * - An app that exits on its own (crash, `kill -9`) is restarted after 1 s, doubling up to 30 s while
 *   it keeps failing (back to 1 s once it has run 30 s); the other app keeps running.
 * - Ctrl-C / SIGTERM stops the watchers and the apps (SIGTERM, SIGKILL after 10 s); the stack stays.
 */
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { paths } = require('./config');
const stack = require('./stack');
const { run } = require('./proc');

const ROOT = paths.root;
const APPS = ['messages', 'notifications'];
const NEST_CLI = path.join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
/** First restart delay after a crash (ms); doubles per consecutive crash up to BACKOFF_MAX_MS. */
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
/** An app that ran this long before exiting is restarted after BACKOFF_MIN_MS again (ms). */
const STABLE_MS = 30000;
/** How long a stopping app gets between SIGTERM and SIGKILL (ms). */
const STOP_GRACE_MS = 10000;
// TypeScript watch status lines (diagnostics 6193/6194, 6032), timestamps and colours stripped.
// eslint-disable-next-line no-control-regex -- ESC is exactly what is stripped
const ANSI = /\x1b\[[0-9;]*m/g;
const COMPILED = /Found (\d+) errors?\. Watching for file changes\./;
const CHANGE = /File change detected\. Starting incremental compilation/;

/** @param {string} msg */
const devLog = (msg) => console.log(`[dev] ${msg}`);

/**
 * Compiled entry of an app: dist/apps/<name>/main.js, or dist/apps/<name>/apps/<name>/src/main.js
 * (where tsc puts it when the app also compiles files from libs/).
 * @param {string} name
 * @returns {string} path relative to the repo root
 * @throws {Error} when neither exists
 */
function appEntry(name) {
  const candidates = [
    path.join('dist', 'apps', name, 'main.js'),
    path.join('dist', 'apps', name, 'apps', name, 'src', 'main.js'),
  ];
  const found = candidates.find((c) => fs.existsSync(path.join(ROOT, c)));
  if (!found) throw new Error(`no compiled entry for ${name} (looked for ${candidates.join(', ')})`);
  return found;
}

/**
 * Pipes a child's stdout/stderr to ours, each line prefixed with `[prefix]`.
 * @param {import('node:child_process').ChildProcess} child
 * @param {string} prefix
 * @param {(line: string) => void} [onLine] also called with each stdout line (colours stripped)
 */
function prefixOutput(child, prefix, onLine) {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      if (onLine && stream === child.stdout && onLine(line.replace(ANSI, '')) === false) return;
      out.write(`[${prefix}] ${line}\n`);
    });
  }
}

/** One app under supervision: started, restarted after a crash (with backoff) or a rebuild, stopped. */
class Supervised {
  /**
   * @param {string} name messages | notifications
   * @param {object} env the app's environment
   */
  constructor(name, env) {
    this.name = name;
    this.env = env;
    this.child = null;
    this.timer = null;
    this.delay = BACKOFF_MIN_MS;
    this.stopping = false;
    this.exited = Promise.resolve();
  }

  /** Starts the app now (cancelling a pending crash restart). */
  start() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.stopping || this.child) return;
    const child = spawn(process.execPath, [appEntry(this.name)], {
      cwd: ROOT,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const startedAt = Date.now();
    this.child = child;
    child.on('error', (err) => devLog(`${this.name} could not be started: ${err.message}`));
    devLog(`${this.name} started (pid ${child.pid})`);
    prefixOutput(child, this.name);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.child = null;
        resolve();
        if (this.stopping || child.replaced) return;
        if (Date.now() - startedAt >= STABLE_MS) this.delay = BACKOFF_MIN_MS;
        devLog(
          `${this.name} exited (${signal || `code ${code}`}); restarting in ${this.delay / 1000} s` +
            ' (the other app keeps running)',
        );
        this.timer = setTimeout(() => this.start(), this.delay);
        this.delay = Math.min(this.delay * 2, BACKOFF_MAX_MS);
      }),
    );
  }

  /**
   * Stops the running process (SIGTERM, then SIGKILL after STOP_GRACE_MS).
   * @param {boolean} replaced true when a new one follows (a rebuild): not reported as a crash
   * @returns {Promise<void>} once it exited
   */
  kill(replaced) {
    clearTimeout(this.timer);
    const { child } = this;
    if (!child) return Promise.resolve();
    child.replaced = replaced;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    return this.exited.then(() => clearTimeout(force));
  }

  /** Restarts after a rebuild: stop (not a crash), start, backoff reset. */
  async restart() {
    await this.kill(true);
    this.delay = BACKOFF_MIN_MS;
    this.start();
  }

  /** @returns {Promise<void>} once stopped for good */
  stop() {
    this.stopping = true;
    return this.kill(false);
  }
}

/**
 * Runs `nest build <app> --watch` and calls back after each compilation.
 * @param {string} name app
 * @param {(errors: number, first: boolean) => void} onCompiled
 * @returns {import('node:child_process').ChildProcess}
 */
function watchBuild(name, onCompiled) {
  const child = spawn(process.execPath, [NEST_CLI, 'build', name, '--watch', '--preserveWatchOutput'], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let first = true;
  prefixOutput(child, `${name}:build`, (line) => {
    const done = COMPILED.exec(line);
    if (done) {
      onCompiled(Number(done[1]), first);
      first = false;
      return false;
    }
    return !(CHANGE.test(line) || /Starting compilation in watch mode/.test(line) || line.trim() === '');
  });
  return child;
}

/**
 * Prints where the apps listen and how to try them (the same commands as the README's).
 * @param {object} env the apps' environment (MESSAGES_PORT / NOTIFICATIONS_PORT, default 3000 / 3001)
 * @param {string[]} apps the apps started
 * @param {boolean} watch
 */
function printDevHelp(env, apps, watch) {
  const m = `http://localhost:${env.MESSAGES_PORT || 3000}`;
  const n = `http://localhost:${env.NOTIFICATIONS_PORT || 3001}`;
  const lines = [''];
  if (apps.includes('messages')) lines.push(`  messages       ${m}/api/v1   (Swagger: ${m}/docs)`);
  if (apps.includes('notifications'))
    lines.push(`  notifications  ${n}/api/v1   (Swagger: ${n}/docs)`, `  inbox page     ${n}/inbox`);
  console.log(
    `${lines.join('\n')}
Try it:
  TOKEN_ALICE=$(npm run -s token -- alice)
  TOKEN_BOB=$(npm run -s token -- bob)
  curl -s -X POST ${m}/api/v1/messages -H "Authorization: Bearer $TOKEN_ALICE" \\
    -H 'Content-Type: application/json' -d '{"recipientIds":["bob"],"body":"hi"}'
  curl -s ${n}/api/v1/notifications -H "Authorization: Bearer $TOKEN_BOB"
  npm run -s stack:status
${watch ? 'Watching: an edit rebuilds and restarts only the app it belongs to.\n' : ''}` +
      'Ctrl-C stops the apps (the stack keeps running; npm run stack:down stops it).\n',
  );
}

/**
 * The inbox page's settings for `npm run dev` (each only when the caller did not set it): the page
 * (notifications app, http://localhost:NOTIFICATIONS_PORT/inbox) calls the messages app at
 * `INBOX_MESSAGES_URL`, whose `CORS_ORIGINS` lets the page's origin in (as localhost and 127.0.0.1).
 * @param {object} env the caller's environment (MESSAGES_PORT / NOTIFICATIONS_PORT)
 * @returns {{INBOX_MESSAGES_URL: string, CORS_ORIGINS: string}}
 */
function inboxPageEnv(env) {
  const n = env.NOTIFICATIONS_PORT || 3001;
  return {
    INBOX_MESSAGES_URL: `http://localhost:${env.MESSAGES_PORT || 3000}`,
    CORS_ORIGINS: `http://localhost:${n},http://127.0.0.1:${n}`,
  };
}

/**
 * Parses `dev` arguments: optional app names (default both) and `--no-watch`.
 * @param {string[]} args
 * @returns {{apps: string[], watch: boolean}}
 * @throws {Error} on an unknown argument
 */
function parseDevArgs(args) {
  const apps = [];
  let watch = true;
  for (const a of args) {
    if (a === '--no-watch') watch = false;
    else if (a === '--watch') watch = true;
    else if (APPS.includes(a)) apps.push(a);
    else throw new Error(`dev: unknown argument ${a} (usage: npm run dev -- [messages|notifications] [--no-watch])`);
  }
  return { apps: apps.length ? apps : APPS, watch };
}

/**
 * `npm run dev`: up (reusing running servers), build (or watch), run the apps until Ctrl-C/SIGTERM.
 * The apps get `LOG_FORMAT=pretty` (unless set) and `FORCE_COLOR=1` when our stdout is a terminal.
 * @param {string[]} args see parseDevArgs
 * @returns {Promise<number>} 0 after a signal
 */
async function dev(args) {
  const { apps: names, watch } = parseDevArgs(args);
  const { env: stackVars } = await stack.up();
  // No JWT_SECRET of its own: the apps and `npm run token` share the config's one dev default
  // (DEV_JWT_SECRET, libs/config/src/app-config.ts) unless the caller sets one.
  const env = {
    ...inboxPageEnv(process.env),
    ...process.env,
    ...stackVars,
    LOG_FORMAT: process.env.LOG_FORMAT || 'pretty',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...(process.stdout.isTTY && !('NO_COLOR' in process.env) ? { FORCE_COLOR: '1' } : {}),
  };
  const apps = names.map((name) => new Supervised(name, env));
  const watchers = [];
  let stopping = false;
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  const stopAll = async (why) => {
    if (stopping) return;
    stopping = true;
    devLog(`${why}: stopping the apps`);
    for (const w of watchers) if (w.exitCode === null) w.kill('SIGTERM');
    await Promise.all(apps.map((a) => a.stop()));
    devLog('apps stopped; the stack is still running (npm run stack:down stops it)');
    done(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => void stopAll(sig));
  // The inbox page (apps/notifications/web) is bundled once; edits to it need another `npm run dev`.
  if (names.includes('notifications'))
    await run(process.execPath, [path.join(ROOT, 'scripts', 'build-inbox.js')], { cwd: ROOT });
  if (watch) {
    devLog(`watching ${names.join(' and ')} (nest build --watch; npm run dev -- --no-watch turns it off)`);
    let helped = false;
    for (const app of apps) {
      const w = watchBuild(app.name, (errors, first) => {
        if (stopping) return;
        if (errors) {
          devLog(`${app.name}: ${errors} compile error(s)${app.child ? '; the running version stays' : ''}`);
          return;
        }
        if (!app.child && !app.timer) {
          app.start();
        } else if (!first) {
          devLog(`${app.name}: rebuilt, restarting`);
          void app.restart();
        }
        if (!helped && apps.every((a) => a.child)) {
          helped = true;
          printDevHelp(env, names, watch);
        }
      });
      w.on('exit', (code, signal) => {
        if (!stopping)
          devLog(`${app.name} watcher exited (${signal || `code ${code}`}); edits are not picked up any more`);
      });
      watchers.push(w);
    }
  } else {
    devLog(`building ${names.join(' and ')} (nest build)…`);
    for (const name of names) await run(process.execPath, [NEST_CLI, 'build', name], { cwd: ROOT });
    for (const app of apps) app.start();
    printDevHelp(env, names, watch);
  }
  return finished;
}

module.exports = { dev, parseDevArgs, appEntry, BACKOFF_MIN_MS, BACKOFF_MAX_MS };
