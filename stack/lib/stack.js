'use strict';
/** The stack as a whole: up (provision + start + wait + topics), down, status. */
const fs = require('node:fs');
const path = require('node:path');
const { paths, isExternal, stackEnv } = require('./config');
const { StackError, log, since } = require('./proc');
const kafka = require('./kafka');
const ferretdb = require('./ferretdb');
const { ensureTopics } = require('./topics');
const { serverState } = require('./server');

/** @param {string} p absolute path @returns {string} the path relative to the repo root, for messages */
const rel = (p) => {
  const r = path.relative(paths.root, p);
  return r.startsWith('..') ? p : r || '.';
};

/**
 * Waits for one server, turning a timeout into a StackError that names the server and its log.
 * @param {string} name
 * @param {() => Promise<unknown>} wait
 * @param {string} logFile
 * @param {number} timeoutMs used in the message only
 * @returns {Promise<void>}
 * @throws {StackError}
 */
async function waitNamed(name, wait, logFile, timeoutMs) {
  try {
    await wait();
  } catch (err) {
    if (err instanceof StackError) throw err;
    throw new StackError(`${name} did not answer within ${timeoutMs / 1000} s: ${err.message}`,
      { server: name, logFile });
  }
}

/**
 * Brings the stack up: fetches/builds what is missing (cached), starts Kafka and FerretDB detached
 * unless running, waits until both answer (Kafka up to 60 s, Mongo up to 30 s), creates the topics,
 * writes .stack/env.json and prints the connection settings. With env KAFKA_BROKERS and MONGODB_URI
 * both set, starts nothing and only creates the topics on that Kafka.
 * @returns {Promise<{started: {kafka: boolean, mongo: boolean}, env: {KAFKA_BROKERS: string, MONGODB_URI: string}}>}
 *   started: which servers this call started
 * @throws {StackError} when a server fails to start or answer (err.server / err.logFile say which)
 * @throws {Error} when fetching, building or topic creation fails
 */
async function up() {
  const t0 = Date.now();
  const started = { kafka: false, mongo: false };
  if (isExternal()) {
    log('KAFKA_BROKERS and MONGODB_URI are set: using external servers, nothing is provisioned');
  } else {
    await Promise.all([kafka.ensureKafkaJars(), ferretdb.ensureFerretBinary()]);
    const k = await kafka.startKafka();
    const m = await ferretdb.startMongo();
    started.kafka = k.started;
    started.mongo = m.started;
    for (const [name, r] of [['kafka', k], ['ferretdb', m]]) {
      if (r.started) log(`${name} started (pid ${r.pid})`);
      else log(`${name} already running (pid ${r.pid}${r.answering ? '' : ', port not answering yet'})`);
    }
  }
  const env = stackEnv();
  const tWait = Date.now();
  await Promise.all([
    waitNamed('kafka', () => kafka.waitKafka(60000), kafka.KAFKA_LOG, 60000),
    waitNamed('ferretdb', () => ferretdb.waitMongo(30000), ferretdb.MONGO_LOG, 30000),
  ]);
  log(`Kafka and MongoDB answer (${since(tWait)})`);
  const topics = await ensureTopics(env.KAFKA_BROKERS);
  if (topics.created.length) log(`created topics: ${topics.created.join(', ')}`);
  if (topics.existing.length) log(`topics already present: ${topics.existing.join(', ')}`);
  fs.mkdirSync(paths.stack, { recursive: true });
  fs.writeFileSync(paths.envJson, `${JSON.stringify(env, null, 2)}\n`);
  log(`ready in ${since(t0)}`);
  console.log(`  KAFKA_BROKERS=${env.KAFKA_BROKERS}`);
  console.log(`  MONGODB_URI=${env.MONGODB_URI}`);
  if (!isExternal()) console.log(`  logs: ${rel(kafka.KAFKA_LOG)}, ${rel(ferretdb.MONGO_LOG)}`);
  console.log(`  (also in ${rel(paths.envJson)})`);
  return { started, env };
}

/**
 * Stops the local servers (SIGTERM, up to 15 s each, then SIGKILL) and removes their pid files.
 * @param {{purge?: boolean, kafka?: boolean, mongo?: boolean}} [o] purge: also delete both data
 *   folders (jars and binary stay); kafka/mongo: false skips that server (default both)
 * @returns {Promise<void>}
 * @throws {Error} when a process survives SIGKILL
 */
async function down({ purge = false, kafka: doKafka = true, mongo: doMongo = true } = {}) {
  const jobs = [];
  if (doKafka) jobs.push(kafka.stopKafka().then((r) => log(`kafka: ${r}`)));
  if (doMongo) jobs.push(ferretdb.stopMongo().then((r) => log(`ferretdb: ${r}`)));
  await Promise.all(jobs);
  if (purge) {
    for (const dir of [paths.kafkaData, paths.ferretData]) fs.rmSync(dir, { recursive: true, force: true });
    log(`deleted data: ${rel(paths.kafkaData)}, ${rel(paths.ferretData)}`);
  }
}

/**
 * Prints, per server: running/stopped, pid, port answering yes/no, log path.
 * @returns {Promise<Array<object>>} the states printed (see server.serverState)
 */
async function status() {
  const states = [
    ['kafka', await serverState('kafka', paths.kafkaProps)],
    ['ferretdb', await serverState('ferretdb', paths.ferretData)],
  ];
  for (const [name, s] of states) {
    const pid = String(s.running ? s.pid : '-').padEnd(7);
    console.log(`${name.padEnd(9)} ${s.running ? 'running' : 'stopped'}  pid ${pid} port ${String(s.port).padEnd(5)}`
      + ` answering: ${s.answering ? 'yes' : 'no '}  log ${rel(s.log)}`
      + (!s.running && s.answering ? '  (port used by a process the stack did not start)' : ''));
  }
  if (isExternal()) {
    console.log(`(KAFKA_BROKERS and MONGODB_URI are set: apps and tests use ${JSON.stringify(stackEnv())})`);
  }
  return states.map(([name, s]) => ({ name, ...s }));
}

module.exports = { up, down, status };
