'use strict';
/**
 * Local MongoDB-wire server: FerretDB v1 embedded in a small Go program (stack/ferretdb), its data in
 * the local PostgreSQL (stack/lib/postgres.js) or in SQLite files (env STACK_MONGO_BACKEND).
 */
const fs = require('node:fs');
const path = require('node:path');
const { paths, configuredPorts, serverFiles, serverPort, stackEnv, mongoBackend } = require('./config');
const { log, since, run, retryUntil, readText, sha256Files, readPid, isAlive } = require('./proc');
const { startServer, stopServer, assertNotExited } = require('./server');
const { postgresUrl } = require('./postgres');

const NAME = 'ferretdb';
/**
 * Only our server has our data folder's absolute path on its command line (the binary may be
 * shared with another stack through HERALD_STACK_CACHE_DIR, so its path would not tell them apart).
 */
const MARKER = paths.ferretData;
const HASH_MARKER = `${paths.ferretBin}.sha256`;
const SOURCES = ['main.go', 'idindex.go', 'pgindex.go', 'go.mod', 'go.sum'].map((f) => path.join(paths.ferretSrc, f));

/** @returns {typeof import('mongodb')} the MongoDB driver (directly, or the copy bundled by mongoose) */
function mongoDriver() {
  try {
    return require('mongodb');
  } catch {
    return require('mongoose').mongo;
  }
}

/**
 * Builds .stack/ferretdb/bin/herald-ferretdb with `go build`, unless the binary exists and its marker
 * holds the current sha256 over the Go sources + go.mod + go.sum (marker written only after success).
 * @returns {Promise<boolean>} true when it built, false when the cached binary was used
 * @throws {Error} when the build fails (e.g. offline without a Go module cache)
 */
async function ensureFerretBinary() {
  const hash = sha256Files(SOURCES);
  if (fs.existsSync(paths.ferretBin) && readText(HASH_MARKER) === hash) return false;
  const t0 = Date.now();
  log('building FerretDB (Go modules from the Go module proxy on first run)…');
  fs.mkdirSync(path.dirname(paths.ferretBin), { recursive: true });
  fs.rmSync(HASH_MARKER, { force: true });
  await run('go', ['build', '-o', paths.ferretBin, '.'], { cwd: paths.ferretSrc });
  fs.writeFileSync(HASH_MARKER, `${hash}\n`);
  log(`FerretDB built (${since(t0)})`);
  return true;
}

/** File recording the backend the running FerretDB was started with. */
const BACKEND_FILE = path.join(paths.run, 'ferretdb.backend');

/**
 * Backend the local FerretDB runs with, when it runs.
 * @returns {'postgresql'|'sqlite'|null}
 */
function runningBackend() {
  if (!isAlive(readPid(serverFiles(NAME).pid), MARKER)) return null;
  return readText(BACKEND_FILE) === 'postgresql' ? 'postgresql' : 'sqlite';
}

/**
 * Starts the local FerretDB detached (log .stack/logs/ferretdb.log, pid .stack/run/ferretdb.pid),
 * building the binary first only when needed, with the backend of env STACK_MONGO_BACKEND (a
 * FerretDB running with the other backend is stopped first). For `postgresql` the local PostgreSQL
 * must be running (startPostgres); its URL, password included, reaches FerretDB through the
 * environment, not the command line. Does not wait: call waitMongo().
 * @returns {Promise<{pid: number, started: boolean, answering: boolean, backend: string}>}
 *   started=false when it was already running
 * @throws {StackError} when the port is taken by another process or the binary cannot be started
 * @throws {Error} when the build fails
 */
async function startMongo() {
  const port = configuredPorts().mongo;
  const backend = mongoBackend();
  const current = runningBackend();
  if (current && current !== backend) {
    log(`ferretdb runs with ${current}, STACK_MONGO_BACKEND wants ${backend}: restarting it`);
    await stopMongo();
  }
  const r = await startServer({
    name: NAME,
    marker: MARKER,
    port,
    portEnv: 'STACK_MONGO_PORT',
    prepare: async () => {
      await ensureFerretBinary();
      fs.mkdirSync(paths.ferretData, { recursive: true });
      // -data is the process marker for both backends (our data folder's path on the command line).
      const args = ['-listen', `127.0.0.1:${port}`, '-data', paths.ferretData, '-log', 'warn', '-handler', backend];
      const env = backend === 'postgresql' ? { ...process.env, HERALD_POSTGRESQL_URL: postgresUrl() } : undefined;
      return { cmd: paths.ferretBin, cwd: paths.ferretHome, args, env };
    },
  });
  if (r.started) fs.writeFileSync(BACKEND_FILE, `${backend}\n`);
  return { ...r, backend };
}

/**
 * Stops the local FerretDB (data kept).
 * @param {{signal?: 'SIGTERM'|'SIGKILL', timeoutMs?: number}} [opts] SIGTERM (default) waits up to
 *   timeoutMs (default 15000 ms), then SIGKILLs
 * @returns {Promise<'not running'|'stopped'|'killed'>}
 * @throws {Error} when the process survives SIGKILL
 */
async function stopMongo(opts = {}) {
  const r = await stopServer(NAME, MARKER, opts);
  fs.rmSync(BACKEND_FILE, { force: true });
  return r;
}

/**
 * Waits until the MongoDB server at stackEnv().MONGODB_URI answers a `ping` command.
 * @param {number} [timeoutMs] default 30000 ms
 * @returns {Promise<void>}
 * @throws {StackError} at once when the local FerretDB process exited
 * @throws {Error} the last connection error when the time is up
 */
function waitMongo(timeoutMs = 30000) {
  const uri = stackEnv().MONGODB_URI;
  const local = uri.startsWith(`mongodb://127.0.0.1:${serverPort(NAME)}/`);
  const { MongoClient } = mongoDriver();
  return retryUntil(async () => {
    if (local) assertNotExited(NAME, MARKER);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
    } finally {
      await client.close().catch(() => {});
    }
  }, timeoutMs);
}

module.exports = {
  mongoDriver,
  ensureFerretBinary,
  startMongo,
  stopMongo,
  waitMongo,
  runningBackend,
  MONGO_LOG: serverFiles(NAME).log,
};
