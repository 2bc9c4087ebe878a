'use strict';
/**
 * Throw-away servers WITH authentication, for the transport-security tests (test/e2e/transport-
 * auth.e2e-spec.ts): a second Kafka broker whose only client listener is SASL_PLAINTEXT with
 * SCRAM-SHA-256, and a FerretDB with SCRAM authentication. Both run as children of the caller, on
 * ports and in a folder the caller gives, and never touch the shared stack (.stack/).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { paths } = require('./config');
const { ensureKafkaJars } = require('./kafka');
const { log, since, run, portOpen, retryUntil, readText } = require('./proc');

/** FerretDB version built for authentication tests (the one stack/ferretdb embeds). */
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB@v1.24.2';
/** The upstream `ferretdb` command built from that module (cached beside the stack's binary). */
const FERRET_AUTH_BIN = path.join(paths.cache, 'ferretdb-auth', 'bin', 'ferretdb');

/**
 * @typedef {object} Child a server started by this module
 * @property {number} port
 * @property {() => string} logs its output so far
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after 10 s
 */

/**
 * Spawns `cmd` as a child of this process, collecting its output.
 * @returns {{child: import('node:child_process').ChildProcess, logs: () => string, stop: () => Promise<void>}}
 */
function spawnChild(cmd, args, cwd) {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d) => {
    out = (out + d).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, logs: () => out, stop };
}

/**
 * Starts a single-node KRaft broker (the stack's Kafka jars) whose client listener is
 * SASL_PLAINTEXT with SCRAM-SHA-256 only; the controller listener is loopback PLAINTEXT. The
 * SCRAM credentials are written into the metadata log at format time (`kafka-storage format
 * --add-scram`, KIP-900), which is how KRaft clusters get their first SCRAM users; the broker
 * authenticates to itself as `broker`.
 *
 * @param {{port: number, controllerPort: number, dir: string, users: Record<string, string>}} o
 *   users: SCRAM user name → password
 * @returns {Promise<Child & {brokers: string}>} once the port accepts connections
 */
async function startSaslKafka({ port, controllerPort, dir, users }) {
  await ensureKafkaJars();
  const cp = path.join(paths.kafkaLibs, '*');
  const brokerPassword = crypto.randomBytes(12).toString('hex');
  fs.mkdirSync(dir, { recursive: true });
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `SASL_PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'SASL_PLAINTEXT',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256',
    'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${brokerPassword}";`,
    'log.dirs': path.join(dir, 'data'),
    'num.partitions': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
  };
  const propsFile = path.join(dir, 'server.properties');
  fs.writeFileSync(
    propsFile,
    `${Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  const scram = Object.entries({ broker: brokerPassword, ...users }).flatMap(([name, password]) => [
    '--add-scram',
    `SCRAM-SHA-256=[name=${name},password=${password}]`,
  ]);
  // A KRaft cluster id is 16 random bytes, base64url without padding (what `random-uuid` prints);
  // passed as `--cluster-id=<id>` because an id may start with `-`.
  const clusterId = crypto.randomBytes(16).toString('base64url');
  await run(
    'java',
    ['-cp', cp, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile, ...scram],
    { cwd: dir, stdio: 'pipe' },
  );
  const t0 = Date.now();
  const proc = spawnChild(
    'java',
    ['-Xms128m', '-Xmx384m', '-cp', cp, `-Dlog4j2.configurationFile=${paths.kafkaLog4j}`, 'kafka.Kafka', propsFile],
    dir,
  );
  try {
    await retryUntil(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`SASL broker exited:\n${proc.logs().slice(-3000)}`);
        if (!(await portOpen(port))) throw new Error(`SASL broker not listening on ${port} yet`);
      },
      90_000,
      300,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  log(`SASL/SCRAM Kafka broker on 127.0.0.1:${port} (${since(t0)})`);
  return { port, brokers: `127.0.0.1:${port}`, logs: proc.logs, stop: proc.stop };
}

/**
 * Builds FerretDB's own `ferretdb` command (v1.24.2), whose `--test-enable-new-auth` turns on SCRAM
 * authentication with users stored by FerretDB (the embeddable package used by stack/ferretdb has
 * no such switch). The module source is fetched with `go mod download` (Go module proxy), copied,
 * and given the `build/version/version.txt` its command requires outside FerretDB's own build
 * (FerretDB issue #2982). Cached: a second call builds nothing.
 * @returns {Promise<string>} the binary's path
 */
async function ensureFerretAuthBinary() {
  const marker = `${FERRET_AUTH_BIN}.module`;
  if (fs.existsSync(FERRET_AUTH_BIN) && readText(marker) === FERRETDB_MODULE) return FERRET_AUTH_BIN;
  const t0 = Date.now();
  log(`building ${FERRETDB_MODULE} cmd/ferretdb (authentication tests; first run only)…`);
  const info = JSON.parse(
    await run('go', ['mod', 'download', '-json', FERRETDB_MODULE], { cwd: paths.ferretSrc, stdio: 'pipe' }),
  );
  const src = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'herald-ferretdb-src-'));
  try {
    fs.cpSync(info.Dir, src, { recursive: true });
    for (const f of walk(src)) fs.chmodSync(f, 0o644);
    fs.writeFileSync(path.join(src, 'build', 'version', 'version.txt'), `${FERRETDB_MODULE.split('@')[1]}\n`);
    fs.mkdirSync(path.dirname(FERRET_AUTH_BIN), { recursive: true });
    await run('go', ['build', '-o', FERRET_AUTH_BIN, './cmd/ferretdb'], {
      cwd: src,
      stdio: 'pipe',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    });
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
  fs.writeFileSync(marker, FERRETDB_MODULE);
  log(`ferretdb with authentication built (${since(t0)})`);
  return FERRET_AUTH_BIN;
}

/** Every file under `dir` (module cache copies are read-only). */
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      fs.chmodSync(p, 0o755);
      return walk(p);
    }
    return [p];
  });
}

/**
 * Starts FerretDB (SQLite backend) with SCRAM authentication and one user created at start-up
 * (`--setup-username/--setup-password/--setup-database`); unauthenticated commands are refused.
 * @param {{port: number, dir: string, user: string, password: string, database: string}} o
 * @returns {Promise<Child & {uri: (user: string, password: string) => string}>} once it listens;
 *   `uri()` gives a connection string (credentials URL-encoded, authSource = the database)
 */
async function startFerretAuth({ port, dir, user, password, database }) {
  const bin = await ensureFerretAuthBinary();
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const proc = spawnChild(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${path.join(dir, 'data')}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--test-enable-new-auth',
      `--setup-database=${database}`,
      `--setup-username=${user}`,
      `--setup-password=${password}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
    dir,
  );
  try {
    await retryUntil(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`ferretdb exited:\n${proc.logs().slice(-3000)}`);
        if (!(await portOpen(port))) throw new Error(`ferretdb not listening on ${port} yet`);
      },
      60_000,
      200,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const uri = (u, p) =>
    `mongodb://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}/${database}?authSource=${database}`;
  return { port, uri, logs: proc.logs, stop: proc.stop };
}

module.exports = { startSaslKafka, ensureFerretAuthBinary, startFerretAuth, FERRET_AUTH_BIN, spawnChild };
