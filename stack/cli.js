#!/usr/bin/env node
'use strict';
/**
 * Local stack without Docker: a real Kafka broker (jars from Maven Central) and a real MongoDB-wire
 * server (FerretDB, built with Go, storing in a local PostgreSQL cluster or SQLite), state in `.stack/`.
 *
 *   node stack/cli.js up [--brokers N] | down [--purge] | status | dev [messages|notifications] [--no-watch]
 *                     | kafka <tool> [args...] | test [-- jestArgs...]
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const stack = require('./lib');
const { log, tail } = require('./lib/proc');
const { dev } = require('./lib/dev');
const { runTool } = require('./lib/kafka-tools');

const ROOT = stack.paths.root;
const JEST_REPORT = path.join(ROOT, 'reports', 'jest.json');

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

const USAGE =
  'usage: node stack/cli.js up [--brokers N] | down [--purge] | status | dev [messages|notifications] [--no-watch]' +
  ' | kafka <tool> [args...] | test [-- jestArgs...]';

/**
 * Dispatches a command.
 * @param {string} cmd
 * @param {string[]} args remaining arguments
 * @returns {Promise<number>} process exit code
 */
async function main(cmd, args) {
  switch (cmd) {
    case 'up': {
      const i = args.indexOf('--brokers');
      if (i >= 0) process.env.STACK_KAFKA_BROKERS = args[i + 1] || '';
      await stack.up();
      return 0;
    }
    case 'down':
      await stack.down({ purge: args.includes('--purge') });
      return 0;
    case 'status':
      await stack.status();
      return 0;
    case 'dev':
      return dev(args);
    case 'kafka':
      return runTool(args[0], args.slice(1));
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
