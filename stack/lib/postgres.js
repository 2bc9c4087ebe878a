'use strict';
/**
 * Local PostgreSQL cluster for FerretDB's PostgreSQL backend: `initdb` into
 * `.stack/postgres/data` once, `pg_ctl start` on 127.0.0.1:$STACK_POSTGRES_PORT (default 5433, so a
 * system PostgreSQL on 5432 is never in the way), log in `.stack/logs/postgres.log`.
 *
 * initdb and postgres refuse to run as root ("initdb: error: cannot be run as root", PostgreSQL
 * docs, "Creating a Database Cluster"); as root the cluster belongs to the `postgres` OS user (made
 * by the Debian package) and every server command runs through `runuser -u postgres --`.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { paths, configuredPorts, serverFiles } = require('./config');
const { StackError, log, since, run, readText, isAlive, portOpen } = require('./proc');

const NAME = 'postgres';
/** Superuser created by initdb; FerretDB connects as it. */
const PG_USER = 'herald';
/** Database FerretDB keeps its schemas (one per MongoDB database) in. */
const PG_DATABASE = 'ferretdb';
/** Longest unix socket path Linux accepts (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Settings for a small shared box (written to `.stack/postgres/data/herald.conf`, included from
 * postgresql.conf). Durability stays on: fsync, synchronous_commit and full_page_writes keep their
 * defaults, so nothing FerretDB acknowledged is lost on a crash.
 * - plan_cache_mode = force_custom_plan: FerretDB sends the field name of every filter as a bind
 *   parameter (`_jsonb->$1 @> $2`); only a custom plan, where $1 is a known constant, can match the
 *   expression indexes of stack/ferretdb/pgindex.go (PostgreSQL docs, "PREPARE", notes on generic
 *   and custom plans).
 * - jit = off: JIT compilation costs more than it saves on these short queries.
 * - wal_level = minimal, max_wal_senders = 0: no replication here, less WAL written.
 * @param {{port: number, socketDir: string}} o
 * @returns {string} postgresql.conf lines
 */
function heraldConf({ port, socketDir }) {
  return [
    '# written by stack/lib/postgres.js on every start',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${socketDir.replace(/'/g, "''")}'`,
    `max_connections = ${FERRET_POOL_MAX + 20}`,
    'shared_buffers = 128MB',
    'effective_cache_size = 1GB',
    'work_mem = 8MB',
    'maintenance_work_mem = 64MB',
    'random_page_cost = 1.1',
    'plan_cache_mode = force_custom_plan',
    'jit = off',
    'wal_level = minimal',
    'max_wal_senders = 0',
    'log_min_duration_statement = 500',
    "log_line_prefix = '%m [%p] '",
    '',
  ].join('\n');
}

/** Folders and files of the cluster (absolute). */
const files = {
  home: path.join(paths.stack, 'postgres'),
  data: path.join(paths.stack, 'postgres', 'data'),
  socketDir: path.join(paths.stack, 'postgres', 'run'),
  password: path.join(paths.stack, 'postgres', 'password'),
  dbMarker: path.join(paths.stack, 'postgres', 'data', 'herald-database-created'),
  ...serverFiles(NAME),
};

/**
 * Folder of the PostgreSQL server binaries: env STACK_POSTGRES_BIN, else `pg_config --bindir`,
 * else the newest /usr/lib/postgresql/<major>/bin (Debian's layout) holding initdb, pg_ctl and
 * postgres.
 * @returns {Promise<string>}
 * @throws {StackError} when none is found, saying how to install PostgreSQL
 */
async function findBinDir() {
  const ok = (dir) => dir && ['initdb', 'pg_ctl', 'postgres'].every((b) => fs.existsSync(path.join(dir, b)));
  if (process.env.STACK_POSTGRES_BIN) {
    if (ok(process.env.STACK_POSTGRES_BIN)) return process.env.STACK_POSTGRES_BIN;
    throw new StackError(`STACK_POSTGRES_BIN=${process.env.STACK_POSTGRES_BIN} holds no initdb, pg_ctl and postgres`, {
      server: NAME,
    });
  }
  try {
    const dir = (await run('pg_config', ['--bindir'], { stdio: 'pipe' })).trim();
    if (ok(dir)) return dir;
  } catch {
    /* no pg_config on PATH */
  }
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((d) => /^\d+$/.test(d)) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  for (const m of majors) if (ok(path.join(base, m, 'bin'))) return path.join(base, m, 'bin');
  throw new StackError(
    'no PostgreSQL server binaries found (initdb, pg_ctl, postgres); install them, e.g. ' +
      '`apt-get install postgresql` (Debian/Ubuntu), set STACK_POSTGRES_BIN to their folder, ' +
      'or use STACK_MONGO_BACKEND=sqlite',
    { server: NAME },
  );
}

/** @returns {boolean} whether this process runs as root (server commands then run as `postgres`) */
const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Runs a PostgreSQL binary, as the `postgres` OS user when we are root.
 * @param {string} bin absolute path
 * @param {string[]} args
 * @param {object} [opts] spawn options (stdio defaults to 'pipe': output only shown on failure)
 * @returns {Promise<string>} stdout
 * @throws {Error} when it exits non-zero
 */
function pgRun(bin, args, opts = {}) {
  const o = { stdio: 'pipe', cwd: files.home, ...opts };
  return asRoot() ? run('runuser', ['-u', 'postgres', '--', bin, ...args], o) : run(bin, args, o);
}

/**
 * Makes paths owned by the `postgres` OS user when we are root (no-op otherwise).
 * @param {string[]} list absolute paths
 * @returns {Promise<void>}
 * @throws {StackError} when there is no `postgres` user
 */
async function chownToPostgres(list) {
  if (!asRoot()) return;
  try {
    await run('chown', ['-R', 'postgres:postgres', ...list], { stdio: 'pipe' });
  } catch (err) {
    throw new StackError(
      `cannot hand ${list.join(', ')} to the postgres OS user (${err.message.split('\n')[0]}); ` +
        'running as root, the cluster needs that user (made by `apt-get install postgresql`)',
      { server: NAME },
    );
  }
}

/** @returns {string} the cluster's password (made once, kept in .stack/postgres/password, mode 600) */
function password() {
  let pw = readText(files.password);
  if (!pw) {
    pw = crypto.randomBytes(18).toString('base64url');
    fs.mkdirSync(files.home, { recursive: true });
    fs.writeFileSync(files.password, `${pw}\n`, { mode: 0o600 });
  }
  return pw;
}

/**
 * Port the cluster was last started on (`.stack/run/postgres.port`), else the configured one.
 * @returns {number}
 */
function postgresPort() {
  const n = Number(readText(files.port));
  return Number.isInteger(n) && n > 0 ? n : configuredPorts().postgres;
}

/**
 * Most PostgreSQL connections FerretDB's pool opens. FerretDB v1.24 keeps the connection of an
 * update's query open while it writes the match in a transaction on a second one
 * (internal/handler/msg_update.go: the query iterator is closed only when the update returns;
 * common.UpdateDocument -> UpdateAll -> pool.InTransaction), so with as many concurrent updates as
 * pool connections every update waits for a connection forever (seen with 100 MongoDB client
 * connections against a pool of 20). The pool must exceed the MongoDB connections of all apps.
 */
const FERRET_POOL_MAX = 200;

/**
 * Connection URL FerretDB uses (pgx syntax; pool_max_conns below max_connections).
 * @returns {string}
 */
function postgresUrl() {
  return (
    `postgres://${PG_USER}:${encodeURIComponent(password())}@127.0.0.1:${postgresPort()}/${PG_DATABASE}` +
    `?pool_max_conns=${FERRET_POOL_MAX}`
  );
}

/** @returns {number|null} the postmaster's pid from data/postmaster.pid, when it is alive */
function postmasterPid() {
  const first = (readText(path.join(files.data, 'postmaster.pid')) || '').split('\n')[0];
  const pid = Number(first);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid, files.data) ? pid : null;
}

/**
 * Creates the cluster once (initdb, scram-sha-256 on TCP, peer on the socket, UTF-8).
 * @param {string} bin folder of the binaries
 * @returns {Promise<boolean>} true when it was created now
 * @throws {StackError|Error} when initdb fails
 */
async function ensureCluster(bin) {
  if (fs.existsSync(path.join(files.data, 'PG_VERSION'))) return false;
  const t0 = Date.now();
  log('creating the PostgreSQL cluster (initdb)…');
  fs.rmSync(files.data, { recursive: true, force: true });
  fs.mkdirSync(files.home, { recursive: true });
  fs.chmodSync(files.home, 0o755); // the postgres OS user must enter it
  fs.mkdirSync(files.data, { mode: 0o700 });
  const pwFile = path.join(files.home, 'initdb-pw');
  fs.writeFileSync(pwFile, `${password()}\n`, { mode: 0o600 });
  await chownToPostgres([files.data, pwFile]);
  if (asRoot()) {
    try {
      await run('runuser', ['-u', 'postgres', '--', 'test', '-w', files.data], { stdio: 'pipe' });
    } catch {
      fs.rmSync(files.data, { recursive: true, force: true });
      throw new StackError(
        `the postgres OS user cannot reach ${files.data} (a parent folder is not ` +
          'world-executable, e.g. /root is 0700): move the repository, point HERALD_STACK_DIR at a folder it can ' +
          'reach, or use STACK_MONGO_BACKEND=sqlite',
        { server: NAME },
      );
    }
  }
  try {
    await pgRun(path.join(bin, 'initdb'), [
      '-D',
      files.data,
      '-U',
      PG_USER,
      `--pwfile=${pwFile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=peer',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
  } catch (err) {
    fs.rmSync(files.data, { recursive: true, force: true });
    throw new StackError(`initdb failed: ${err.message}`, { server: NAME });
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
  fs.appendFileSync(path.join(files.data, 'postgresql.conf'), "\ninclude_if_exists = 'herald.conf'\n");
  log(`PostgreSQL cluster created (${since(t0)})`);
  return true;
}

/**
 * Version of the PostgreSQL server binaries, e.g. `PostgreSQL 15.14`.
 * @param {string} [bin] folder of the binaries (default findBinDir())
 * @returns {Promise<string>}
 * @throws {StackError} when no binaries are found
 */
async function postgresVersion(bin) {
  const out = await run(path.join(bin || (await findBinDir()), 'postgres'), ['--version'], { stdio: 'pipe' });
  return out.trim().replace(/^postgres \(PostgreSQL\) /, 'PostgreSQL ');
}

/**
 * Starts the local PostgreSQL (initdb first when there is no cluster) and waits until it accepts
 * connections (`pg_ctl start -w`), then creates FerretDB's database once.
 * @returns {Promise<{pid: number, port: number, started: boolean, version: string, bin: string}>}
 *   started=false when it was already running
 * @throws {StackError} when the binaries are missing, the port is taken, or the server fails to start
 */
async function startPostgres() {
  const bin = await findBinDir();
  const version = await postgresVersion(bin);
  const running = postmasterPid();
  if (running) return { pid: running, port: postgresPort(), started: false, version, bin };
  const port = configuredPorts().postgres;
  if (await portOpen(port)) {
    throw new StackError(
      `port ${port} is already in use by another process (not started by the stack); ` +
        'stop it or set STACK_POSTGRES_PORT',
      { server: NAME },
    );
  }
  await ensureCluster(bin);
  // The unix socket path is limited to 107 bytes; with a deep state folder, TCP only.
  const socketDir = path.join(files.socketDir, `.s.PGSQL.${port}`).length <= MAX_SOCKET_PATH ? files.socketDir : '';
  fs.mkdirSync(files.socketDir, { recursive: true });
  fs.writeFileSync(path.join(files.data, 'herald.conf'), heraldConf({ port, socketDir }));
  fs.mkdirSync(path.dirname(files.log), { recursive: true });
  fs.appendFileSync(files.log, `\n[stack] ${new Date().toISOString()} starting PostgreSQL on 127.0.0.1:${port}\n`);
  await chownToPostgres([files.data, files.socketDir, files.log]);
  const t0 = Date.now();
  try {
    await pgRun(path.join(bin, 'pg_ctl'), ['start', '-D', files.data, '-l', files.log, '-w', '-t', '60']);
  } catch (err) {
    throw new StackError(`pg_ctl start failed: ${err.message.split('\n')[0]}`, { server: NAME, logFile: files.log });
  }
  const pid = postmasterPid();
  fs.mkdirSync(path.dirname(files.pid), { recursive: true });
  fs.writeFileSync(files.pid, `${pid}\n`);
  fs.writeFileSync(files.port, `${port}\n`);
  if (!fs.existsSync(files.dbMarker)) {
    try {
      await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, PG_DATABASE], {
        stdio: 'pipe',
        env: { ...process.env, PGPASSWORD: password() },
      });
    } catch (err) {
      if (!/already exists/.test(err.message))
        throw new StackError(`createdb failed: ${err.message}`, { server: NAME });
    }
    fs.writeFileSync(files.dbMarker, `${PG_DATABASE}\n`);
  }
  log(`postgres started on 127.0.0.1:${port} (${since(t0)})`);
  return { pid, port, started: true, version, bin };
}

/**
 * Stops the local PostgreSQL (`pg_ctl stop -m fast`: open sessions are ended, committed data is on
 * disk; data kept).
 * @returns {Promise<'not running'|'stopped'>}
 * @throws {Error} when pg_ctl fails
 */
async function stopPostgres() {
  const pid = postmasterPid();
  fs.rmSync(files.pid, { force: true });
  fs.rmSync(files.port, { force: true });
  if (!pid) return 'not running';
  const bin = await findBinDir();
  await pgRun(path.join(bin, 'pg_ctl'), ['stop', '-D', files.data, '-m', 'fast', '-w', '-t', '60']);
  return 'stopped';
}

/**
 * State of the local PostgreSQL for `stack:status`.
 * @returns {Promise<{pid: number|null, running: boolean, port: number, answering: boolean, log: string, data: string}>}
 */
async function postgresState() {
  const pid = postmasterPid();
  const port = postgresPort();
  return { pid, running: Boolean(pid), port, answering: await portOpen(port), log: files.log, data: files.data };
}

module.exports = {
  startPostgres,
  stopPostgres,
  postgresState,
  postgresUrl,
  postgresVersion,
  findBinDir,
  POSTGRES_FILES: files,
  POSTGRES_LOG: files.log,
  heraldConf,
};
