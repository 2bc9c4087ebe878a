'use strict';
/** Lifecycle shared by the stack's servers: start detached once, stop by pid file, report state. */
const fs = require('node:fs');
const { serverFiles, serverPort } = require('./config');
const { StackError, sleep, spawnDetached, readPid, isAlive, portOpen, stopPid } = require('./proc');

const PORT_GRACE_MS = 5000;

/**
 * Starts a server unless its recorded pid is alive.
 * @param {object} o
 * @param {'kafka'|'ferretdb'} o.name
 * @param {string} o.marker text in the server's command line (pid-reuse guard)
 * @param {number} o.port main port (recorded in `.stack/run/<name>.port`)
 * @param {number[]} [o.extraPorts] other ports it listens on, checked for conflicts
 * @param {string} o.portEnv env variable that overrides the port (named in the conflict error)
 * @param {() => Promise<{cmd: string, args: string[], cwd: string, env?: object}>} o.prepare provisions
 *   files (cached) and returns the command to run (env: its whole environment, default ours)
 * @returns {Promise<{pid: number, started: boolean, answering: boolean}>} started=false when it was
 *   already running; answering = port accepted a connection (only checked when already running)
 * @throws {StackError} when a port is still taken after 5 s by a process the stack did not start, or
 *   spawning fails
 * @throws {Error} when provisioning fails
 */
async function startServer({ name, marker, port, extraPorts = [], portEnv, prepare }) {
  const files = serverFiles(name);
  const pid = readPid(files.pid);
  if (isAlive(pid, marker)) {
    return { pid, started: false, answering: await portOpen(serverPort(name)) };
  }
  // A process that was just killed may hold its ports for a moment: only a port still taken after
  // PORT_GRACE_MS is a conflict.
  const deadline = Date.now() + PORT_GRACE_MS;
  for (const p of [port, ...extraPorts]) {
    while ((await portOpen(p)) && Date.now() < deadline) await sleep(200);
    if (await portOpen(p)) {
      throw new StackError(
        `port ${p} is already in use by another process (not started by the stack); stop it or set ${portEnv}`,
        { server: name },
      );
    }
  }
  const { cmd, args, cwd, env } = await prepare();
  let newPid;
  try {
    newPid = spawnDetached({ cmd, args, cwd, env, logFile: files.log, pidFile: files.pid });
  } catch (err) {
    throw new StackError(err.message, { server: name, logFile: files.log });
  }
  fs.writeFileSync(files.port, `${port}\n`);
  return { pid: newPid, started: true, answering: false };
}

/**
 * Stops a server started by startServer and removes its pid/port files (data is kept).
 * @param {'kafka'|'ferretdb'} name
 * @param {string} marker as given to startServer
 * @param {{signal?: 'SIGTERM'|'SIGKILL', timeoutMs?: number}} [o] timeoutMs: ms to wait after
 *   SIGTERM before SIGKILL, default 15000
 * @returns {Promise<'not running'|'stopped'|'killed'>}
 * @throws {Error} when the process survives SIGKILL
 */
async function stopServer(name, marker, { signal = 'SIGTERM', timeoutMs = 15000 } = {}) {
  const files = serverFiles(name);
  const result = await stopPid(readPid(files.pid), { signal, timeoutMs, marker });
  fs.rmSync(files.pid, { force: true });
  fs.rmSync(files.port, { force: true });
  return result;
}

/**
 * Current state of a server.
 * @param {'kafka'|'ferretdb'} name
 * @param {string} marker
 * @returns {Promise<{pid: number|null, running: boolean, port: number, answering: boolean, log: string}>}
 */
async function serverState(name, marker) {
  const files = serverFiles(name);
  const pid = readPid(files.pid);
  const port = serverPort(name);
  return { pid, running: isAlive(pid, marker), port, answering: await portOpen(port), log: files.log };
}

/**
 * Throws when a server the stack started has exited (used to end a readiness wait early).
 * @param {'kafka'|'ferretdb'} name
 * @param {string} marker
 * @throws {StackError} when the pid file exists but the process is gone
 */
function assertNotExited(name, marker) {
  const files = serverFiles(name);
  const pid = readPid(files.pid);
  if (pid && !isAlive(pid, marker)) {
    throw new StackError(`process ${pid} exited`, { server: name, logFile: files.log });
  }
}

module.exports = { startServer, stopServer, serverState, assertNotExited };
