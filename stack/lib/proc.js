'use strict';
/** Process helpers for the stack: run tools, start detached servers, pids, ports, waiting, logs. */
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');

/** A server failed to start, answer or stop. `server` names it; `logFile` is its log (absolute). */
class StackError extends Error {
  /**
   * @param {string} message
   * @param {{server?: string, logFile?: string}} [info]
   */
  constructor(message, info = {}) {
    super(message);
    this.name = 'StackError';
    this.server = info.server;
    this.logFile = info.logFile;
  }
}

/**
 * Resolves after a delay.
 * @param {number} ms milliseconds
 * @returns {Promise<void>}
 */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Prints one progress line prefixed with `[stack]`.
 * @param {string} message
 */
function log(message) {
  console.log(`[stack] ${message}`);
}

/**
 * Elapsed time since a start instant, formatted like `12.3 s`.
 * @param {number} startMs value of Date.now() at the start
 * @returns {string}
 */
function since(startMs) {
  return `${((Date.now() - startMs) / 1000).toFixed(1)} s`;
}

/**
 * Runs a command to completion.
 * @param {string} cmd executable (looked up on PATH)
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} [opts] default stdio: inherit; with
 *   stdio 'pipe' the output is hidden and appended to the error message on failure
 * @returns {Promise<string>} captured stdout when opts.stdio pipes it, else ''
 * @throws {Error} when the command cannot be started or exits non-zero / on a signal
 */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    let out = '';
    let err = '';
    if (child.stdout) child.stdout.on('data', (d) => (out += d));
    if (child.stderr) child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(out);
      const output = opts.stdio === 'pipe' ? `\n${`${out}${err}`.trim()}` : '';
      reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${signal || code})${output}`));
    });
  });
}

/**
 * Starts a long-running server detached from this process: own process group, stdout+stderr appended
 * to logFile, pid written to pidFile, unref'd so this process may exit.
 * @param {{cmd: string, args: string[], cwd: string, logFile: string, pidFile: string, env?: object}} o
 * @returns {number} pid
 * @throws {Error} when the process cannot be spawned (e.g. executable missing)
 */
function spawnDetached({ cmd, args, cwd, logFile, pidFile, env }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  try {
    fs.writeSync(fd, `\n[stack] ${new Date().toISOString()} starting: ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd, env: env || process.env, detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => {}); // reported below through the missing pid
    if (!child.pid) throw new Error(`cannot start ${cmd} (is it installed and on PATH?)`);
    fs.writeFileSync(pidFile, `${child.pid}\n`);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a pid file.
 * @param {string} pidFile
 * @returns {number|null} the pid, or null when the file is missing or invalid
 */
function readPid(pidFile) {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Whether a process is alive (not a zombie) and, on Linux, whether its command line contains
 * `marker` (guards against a recycled pid).
 * @param {number|null} pid
 * @param {string} [marker]
 * @returns {boolean}
 */
function isAlive(pid, marker) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
  if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
  if (!marker) return true;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

/**
 * Whether something accepts TCP connections on host:port.
 * @param {number} port
 * @param {string} [host] default 127.0.0.1
 * @param {number} [timeoutMs] connect timeout in ms, default 1000
 * @returns {Promise<boolean>} never rejects
 */
function portOpen(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Calls `attempt` until it resolves, or the time is up.
 * @template T
 * @param {() => Promise<T>} attempt may throw; a StackError aborts the wait at once
 * @param {number} timeoutMs total time in ms
 * @param {number} [intervalMs] pause between attempts in ms, default 500
 * @returns {Promise<T>} the first successful result
 * @throws {Error} the last attempt's error when the time is up, or a StackError at once
 */
async function retryUntil(attempt, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof StackError || Date.now() + intervalMs > deadline) throw err;
    }
    await sleep(intervalMs);
  }
}

/**
 * Stops a process: sends `signal`, waits for it to exit, escalates to SIGKILL after timeoutMs.
 * @param {number|null} pid
 * @param {{signal?: 'SIGTERM'|'SIGKILL', timeoutMs?: number, marker?: string}} [o] timeoutMs
 *   default 15000 (ms to wait after SIGTERM); marker as in isAlive
 * @returns {Promise<'not running'|'stopped'|'killed'>}
 * @throws {Error} when the process is still alive 5 s after SIGKILL
 */
async function stopPid(pid, { signal = 'SIGTERM', timeoutMs = 15000, marker } = {}) {
  if (!isAlive(pid, marker)) return 'not running';
  const waitExit = async (ms) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid, marker)) return true;
      await sleep(100);
    }
    return !isAlive(pid, marker);
  };
  try {
    process.kill(pid, signal);
  } catch {
    return 'not running';
  }
  if (signal !== 'SIGKILL' && (await waitExit(timeoutMs))) return 'stopped';
  if (signal !== 'SIGKILL') {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return 'stopped';
    }
  }
  if (await waitExit(5000)) return 'killed';
  throw new Error(`pid ${pid} is still alive after SIGKILL`);
}

/**
 * Last lines of a text file.
 * @param {string} file
 * @param {number} [lines] default 40
 * @returns {string} '' when the file is missing
 */
function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * SHA-256 (hex) over the base names and contents of files, in the given order.
 * @param {string[]} files absolute paths
 * @returns {string}
 * @throws {Error} when a file cannot be read
 */
function sha256Files(files) {
  const hash = crypto.createHash('sha256');
  for (const file of files)
    hash
      .update(`${path.basename(file)}\0`)
      .update(fs.readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

/**
 * Reads a small text file, trimmed.
 * @param {string} file
 * @returns {string|null} null when missing
 */
function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

module.exports = {
  StackError,
  sleep,
  log,
  since,
  run,
  spawnDetached,
  readPid,
  isAlive,
  portOpen,
  retryUntil,
  stopPid,
  tail,
  sha256Files,
  readText,
};
