#!/usr/bin/env node
'use strict';
/**
 * `npm run test:postman`: runs postman/herald.postman_collection.json with newman against both apps.
 *
 * - MESSAGES_URL and NOTIFICATIONS_URL given (e.g. the compose stack): uses those, starts nothing.
 * - Otherwise starts both apps from dist/ (build first: the npm script does) against the servers in
 *   KAFKA_BROKERS / MONGODB_URI, else those of the local stack (.stack/env.json, written by
 *   `npm run stack:up`), else 127.0.0.1:9092 and mongodb://127.0.0.1:27017/herald; NODE_ENV=test, a
 *   test JWT secret, ports MESSAGES_PORT / NOTIFICATIONS_PORT, else 3000 / 3001 when free, else
 *   free ones. Waits for /health/ready on both, runs newman with postman/local.postman_environment.json
 *   (URLs overridden to the apps started), then stops the apps.
 *
 * Prints `postman: N assertions, M failed`; exits 1 on any failed assertion or request error.
 * App output goes to reports/postman/<app>.log (its tail is printed when something fails); newman's
 * JSON report to reports/postman/newman.json.
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const REPORTS = path.join(ROOT, 'reports', 'postman');
const COLLECTION = path.join(ROOT, 'postman', 'herald.postman_collection.json');
const ENVIRONMENT = path.join(ROOT, 'postman', 'local.postman_environment.json');
const READY_TIMEOUT_MS = Number(process.env.POSTMAN_READY_TIMEOUT_MS || 90_000);
const APPS = [
  { name: 'messages', portVar: 'MESSAGES_PORT', defaultPort: 3000, urlVar: 'messagesUrl' },
  { name: 'notifications', portVar: 'NOTIFICATIONS_PORT', defaultPort: 3001, urlVar: 'notificationsUrl' },
];

const log = (msg) => console.log(`[postman] ${msg}`);

/** @returns {{KAFKA_BROKERS: string, MONGODB_URI: string, from: string}} where the servers are */
function servers() {
  if (process.env.KAFKA_BROKERS && process.env.MONGODB_URI) {
    return { KAFKA_BROKERS: process.env.KAFKA_BROKERS, MONGODB_URI: process.env.MONGODB_URI, from: 'environment' };
  }
  try {
    const stack = JSON.parse(
      fs.readFileSync(path.join(process.env.HERALD_STACK_DIR || path.join(ROOT, '.stack'), 'env.json'), 'utf8'),
    );
    if (stack.KAFKA_BROKERS && stack.MONGODB_URI) return { ...stack, from: '.stack/env.json' };
  } catch {
    // no local stack file: defaults
  }
  return { KAFKA_BROKERS: '127.0.0.1:9092', MONGODB_URI: 'mongodb://127.0.0.1:27017/herald', from: 'defaults' };
}

/** Resolves `port` if it can be bound on 127.0.0.1, else a free port chosen by the OS (port 0 → always OS). */
function freePort(port) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err) => (port === 0 ? reject(err) : resolve(freePort(0))));
    srv.listen(port, '127.0.0.1', () => {
      const chosen = srv.address().port;
      srv.close(() => resolve(chosen));
    });
  });
}

/** Compiled entry of an app (the path package.json's start:<app> runs). */
function entryOf(name) {
  const entry = path.join(ROOT, 'dist', 'apps', name, 'apps', name, 'src', 'main.js');
  if (!fs.existsSync(entry)) throw new Error(`${path.relative(ROOT, entry)} missing: run \`npm run build\` first`);
  return entry;
}

/** GET url → status code (0 when unreachable). */
function status(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode || 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function waitReady(app) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (app.child && app.child.exitCode !== null)
      throw new Error(`${app.name} exited with code ${app.child.exitCode} before it was ready`);
    if ((await status(`${app.url}/health/ready`)) === 200) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${app.name} not ready at ${app.url}/health/ready after ${READY_TIMEOUT_MS} ms`);
}

function startApp(app, env) {
  fs.mkdirSync(REPORTS, { recursive: true });
  app.logFile = path.join(REPORTS, `${app.name}.log`);
  const out = fs.openSync(app.logFile, 'w');
  app.child = spawn(process.execPath, [entryOf(app.name)], { cwd: ROOT, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
}

async function stopApp(app) {
  const child = app.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function runNewman(apps) {
  const newman = require('newman');
  fs.mkdirSync(REPORTS, { recursive: true });
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: require(COLLECTION),
        environment: require(ENVIRONMENT),
        envVar: apps.map((a) => ({ key: a.urlVar, value: a.url })),
        reporters: ['cli', 'json'],
        reporter: { json: { export: path.join(REPORTS, 'newman.json') } },
        timeoutRequest: 15_000,
        color: process.stdout.isTTY ? 'on' : 'off',
      },
      (err, summary) => (err ? reject(err) : resolve(summary)),
    );
  });
}

async function main() {
  const external = process.env.MESSAGES_URL && process.env.NOTIFICATIONS_URL;
  const apps = APPS.map((a) => ({ ...a }));
  let failedRun;
  try {
    if (external) {
      apps[0].url = process.env.MESSAGES_URL.replace(/\/$/, '');
      apps[1].url = process.env.NOTIFICATIONS_URL.replace(/\/$/, '');
      log(`using running apps: ${apps.map((a) => a.url).join(', ')}`);
    } else {
      const srv = servers();
      log(`servers (${srv.from}): KAFKA_BROKERS=${srv.KAFKA_BROKERS} MONGODB_URI=${srv.MONGODB_URI}`);
      for (const app of apps) {
        const wanted = process.env[app.portVar];
        app.port = wanted ? Number(wanted) : await freePort(app.defaultPort);
        app.url = `http://127.0.0.1:${app.port}`;
      }
      const env = {
        ...process.env,
        KAFKA_BROKERS: srv.KAFKA_BROKERS,
        MONGODB_URI: srv.MONGODB_URI,
        NODE_ENV: 'test',
        JWT_SECRET: process.env.POSTMAN_JWT_SECRET || 'postman-test-secret-not-for-production',
        LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
        HTTP_HOST: '127.0.0.1',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        ...Object.fromEntries(apps.map((a) => [a.portVar, String(a.port)])),
      };
      for (const app of apps) startApp(app, env);
      log(`started ${apps.map((a) => `${a.name} on ${a.url}`).join(', ')}; waiting for /health/ready`);
    }
    await Promise.all(apps.map(waitReady));
    const summary = await runNewman(apps);
    const { assertions, requests } = summary.run.stats;
    const failures = summary.run.failures.length;
    failedRun = assertions.failed > 0 || requests.failed > 0 || failures > 0 || !!summary.error;
    console.log(
      `postman: ${assertions.total} assertions, ${assertions.failed} failed (${requests.total} requests, ${requests.failed} failed)`,
    );
  } catch (err) {
    failedRun = true;
    console.error(`[postman] ${err.message}`);
    console.log('postman: 0 assertions, 1 failed (run aborted)');
  } finally {
    await Promise.all(apps.map(stopApp));
  }
  if (failedRun && !external) {
    for (const app of apps)
      if (app.logFile)
        console.error(`[postman] last lines of ${path.relative(ROOT, app.logFile)}:\n${tail(app.logFile)}`);
  }
  return failedRun ? 1 : 0;
}

main().then((code) => process.exit(code));
