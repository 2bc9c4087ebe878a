'use strict';
/**
 * Toxiproxy (github.com/Shopify/toxiproxy/v2, a TCP proxy whose faults — "toxics" — are set through
 * an HTTP API), built from the Go module proxy like FerretDB and cached beside its binary; started
 * as a child of the caller (the flaky-network tests in test/cluster), on the API port it is given.
 * The proxies and toxics are created by the tests through the API (test/support/toxiproxy.ts).
 */
const fs = require('node:fs');
const path = require('node:path');
const { paths } = require('./config');
const { spawnChild } = require('./secure-servers');
const { StackError, log, since, run, portOpen, retryUntil, readText } = require('./proc');

/** Module and version built (the newest the Go module proxy serves). */
const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2';
const TOXIPROXY_VERSION = 'v2.5.0';
/** `go install` names the binary after its package folder, `cmd/server`. */
const TOXIPROXY_BIN = path.join(paths.cache, 'toxiproxy', 'bin', 'server');

/**
 * Builds Toxiproxy's server with `go install <module>/cmd/server@<version>` into the cache (binary
 * `toxiproxy/bin/server`), unless it exists and its marker names that version (marker written only
 * after a successful build).
 * @returns {Promise<string>} the binary's path
 * @throws {Error} when the build fails (e.g. offline without a Go module cache)
 */
async function ensureToxiproxyBinary() {
  const marker = `${TOXIPROXY_BIN}.version`;
  const want = `${TOXIPROXY_MODULE}@${TOXIPROXY_VERSION}`;
  if (fs.existsSync(TOXIPROXY_BIN) && readText(marker) === want) return TOXIPROXY_BIN;
  const t0 = Date.now();
  log(`building Toxiproxy ${TOXIPROXY_VERSION} (Go module proxy; first run only)…`);
  fs.mkdirSync(path.dirname(TOXIPROXY_BIN), { recursive: true });
  fs.rmSync(marker, { force: true });
  await run('go', ['install', `${TOXIPROXY_MODULE}/cmd/server@${TOXIPROXY_VERSION}`], {
    stdio: 'pipe',
    cwd: path.dirname(TOXIPROXY_BIN),
    env: { ...process.env, GOBIN: path.dirname(TOXIPROXY_BIN), GOFLAGS: '' },
  });
  fs.writeFileSync(marker, want);
  log(`Toxiproxy built (${since(t0)})`);
  return TOXIPROXY_BIN;
}

/**
 * Starts Toxiproxy's server on 127.0.0.1:`port` (its HTTP API) and waits until it listens.
 * @param {{port: number, dir: string}} o dir: its working folder
 * @returns {Promise<{port: number, api: string, logs: () => string, stop: () => Promise<void>}>}
 *   api: `http://127.0.0.1:<port>`
 * @throws {Error} with its output when it exits or does not listen within 30 s
 */
async function startToxiproxy({ port, dir }) {
  const bin = await ensureToxiproxyBinary();
  fs.mkdirSync(dir, { recursive: true });
  const proc = spawnChild(bin, ['-host', '127.0.0.1', '-port', String(port)], dir);
  try {
    await retryUntil(
      async () => {
        if (proc.child.exitCode !== null) throw new StackError(`toxiproxy exited:\n${proc.logs().slice(-3000)}`);
        if (!(await portOpen(port))) throw new Error(`toxiproxy not listening on ${port} yet`);
      },
      30_000,
      200,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { port, api: `http://127.0.0.1:${port}`, logs: proc.logs, stop: proc.stop };
}

module.exports = { ensureToxiproxyBinary, startToxiproxy, TOXIPROXY_BIN, TOXIPROXY_VERSION };
