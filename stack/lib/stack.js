'use strict';
/** The stack as a whole: up (provision + start + wait + topics), down, status. */
const fs = require('node:fs');
const path = require('node:path');
const { paths, isExternal, stackEnv, mongoBackend, kafkaNodeCount, kafkaNode, kafkaPorts } = require('./config');
const { StackError, log, since } = require('./proc');
const kafka = require('./kafka');
const ferretdb = require('./ferretdb');
const postgres = require('./postgres');
const { ensureTopics } = require('./topics');
const { serverState } = require('./server');
const { kafkaStatus, printKafkaStatus } = require('./kafka-status');

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
    throw new StackError(`${name} did not answer within ${timeoutMs / 1000} s: ${err.message}`, {
      server: name,
      logFile,
    });
  }
}

/**
 * Brings the stack up: fetches/builds what is missing (cached), starts Kafka, PostgreSQL (when
 * env STACK_MONGO_BACKEND is postgresql, the default) and FerretDB detached unless running, waits
 * until Kafka and FerretDB answer (Kafka up to 60 s, Mongo up to 30 s), creates the topics,
 * writes .stack/env.json and prints the connection settings. With env KAFKA_BROKERS and MONGODB_URI
 * both set, starts nothing and only creates the topics on that Kafka.
 * @returns {Promise<{started: {kafka: boolean, mongo: boolean, postgres: boolean}, env: {KAFKA_BROKERS: string, MONGODB_URI: string}}>}
 *   started: which servers this call started
 * @throws {StackError} when a server fails to start or answer (err.server / err.logFile say which)
 * @throws {Error} when fetching, building or topic creation fails
 */
async function up() {
  const t0 = Date.now();
  const started = { kafka: false, mongo: false, postgres: false };
  if (isExternal()) {
    log('KAFKA_BROKERS and MONGODB_URI are set: using external servers, nothing is provisioned');
  } else {
    const backend = mongoBackend();
    await Promise.all([kafka.ensureKafkaJars(), ferretdb.ensureFerretBinary()]);
    const k = await kafka.startKafka();
    if (backend === 'postgresql') {
      const p = await postgres.startPostgres();
      started.postgres = p.started;
      log(
        `${p.version} ${p.started ? 'started' : 'already running'} (pid ${p.pid}, 127.0.0.1:${p.port}, ` +
          `data ${rel(postgres.POSTGRES_FILES.data)})`,
      );
    }
    const m = await ferretdb.startMongo();
    started.kafka = k.started;
    started.mongo = m.started;
    for (const [name, r] of [
      ['kafka', k],
      [`ferretdb (FerretDB v1.24.2, ${backend} backend)`, m],
    ]) {
      if (name === 'kafka' && r.nodes > 1) log(`kafka: a cluster of ${r.nodes} nodes (STACK_KAFKA_BROKERS)`);
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
  // A cluster's topics are replicated 3 ways (at most; min.insync.replicas=2, see kafka-props.js).
  const nodes = isExternal() ? 1 : kafkaPorts().length;
  const topics = await ensureTopics(env.KAFKA_BROKERS, { replicationFactor: Math.min(3, nodes) });
  if (topics.created.length) log(`created topics: ${topics.created.join(', ')}`);
  if (topics.existing.length) log(`topics already present: ${topics.existing.join(', ')}`);
  fs.mkdirSync(paths.stack, { recursive: true });
  fs.writeFileSync(paths.envJson, `${JSON.stringify(env, null, 2)}\n`);
  log(`ready in ${since(t0)}`);
  console.log(`  KAFKA_BROKERS=${env.KAFKA_BROKERS}`);
  console.log(`  MONGODB_URI=${env.MONGODB_URI}`);
  if (!isExternal()) {
    const backend = mongoBackend();
    const logs = [kafka.KAFKA_LOG, ferretdb.MONGO_LOG, ...(backend === 'postgresql' ? [postgres.POSTGRES_LOG] : [])];
    console.log(
      `  MongoDB backend: ${backend} (STACK_MONGO_BACKEND), data in ${rel(
        backend === 'postgresql' ? postgres.POSTGRES_FILES.data : paths.ferretData,
      )}`,
    );
    console.log(`  logs: ${logs.map(rel).join(', ')}`);
  }
  console.log(`  (also in ${rel(paths.envJson)})`);
  return { started, env };
}

/**
 * Stops the local servers (SIGTERM, up to 15 s each, then SIGKILL; PostgreSQL with `pg_ctl stop -m
 * fast` after FerretDB) and removes their pid files.
 * @param {{purge?: boolean, kafka?: boolean, mongo?: boolean, postgres?: boolean}} [o] purge: also
 *   delete the data folders (jars and binary stay); kafka/mongo/postgres: false skips that server
 *   (default all; postgres defaults to the value of mongo)
 * @returns {Promise<void>}
 * @throws {Error} when a process survives SIGKILL or pg_ctl fails
 */
async function down({ purge = false, kafka: doKafka = true, mongo: doMongo = true, postgres: doPg = doMongo } = {}) {
  const jobs = [];
  if (doKafka) jobs.push(kafka.stopKafka().then((r) => log(`kafka: ${r}`)));
  const mongoJob = doMongo ? ferretdb.stopMongo().then((r) => log(`ferretdb: ${r}`)) : Promise.resolve();
  jobs.push(
    mongoJob.then(async () => {
      if (doPg) log(`postgres: ${await postgres.stopPostgres()}`);
    }),
  );
  await Promise.all(jobs);
  if (purge) {
    const dirs = [paths.kafkaData, paths.ferretData, postgres.POSTGRES_FILES.home];
    for (let i = 2; i <= 5; i++) {
      if (fs.existsSync(kafkaNode(i).data)) dirs.push(kafkaNode(i).data);
      fs.rmSync(kafkaNode(i).props, { force: true }); // the stack is one node again
    }
    fs.rmSync(path.join(paths.kafkaHome, 'nodes'), { force: true });
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    log(`deleted data: ${dirs.map(rel).join(', ')}`);
  }
}

/**
 * Prints, per server: running/stopped, pid, port answering yes/no, log path; then, when Kafka
 * answers, its topics (partitions, end offsets) and consumer groups (state, members, lag per
 * partition; see kafka-status.js).
 * @returns {Promise<Array<object>>} the states printed (see server.serverState)
 */
async function status() {
  const backend = ferretdb.runningBackend() || mongoBackend();
  const extraNodes = [];
  for (let i = 2; i <= 5 && fs.existsSync(kafkaNode(i).props); i++) {
    const node = kafkaNode(i);
    extraNodes.push([node.name, await serverState(node.name, node.props), 'Kafka 4.1.1', node.data]);
  }
  const states = [
    ['kafka', await serverState('kafka', paths.kafkaProps), 'Kafka 4.1.1', paths.kafkaData],
    ...extraNodes,
    [
      'ferretdb',
      await serverState('ferretdb', paths.ferretData),
      `FerretDB v1.24.2 (${backend} backend)`,
      backend === 'postgresql' ? null : paths.ferretData,
    ],
  ];
  if (backend === 'postgresql') {
    const pg = await postgres.postgresState();
    states.push(['postgres', pg, await postgres.postgresVersion().catch(() => 'PostgreSQL'), pg.data]);
  }
  for (const [name, s, what, data] of states) {
    const pid = String(s.running ? s.pid : '-').padEnd(7);
    console.log(
      `${name.padEnd(9)} ${s.running ? 'running' : 'stopped'}  pid ${pid} port ${String(s.port).padEnd(5)}` +
        ` answering: ${s.answering ? 'yes' : 'no '}  ${what}${data ? `, data ${rel(data)}` : ''}, log ${rel(s.log)}` +
        (!s.running && s.answering ? '  (port used by a process the stack did not start)' : ''),
    );
  }
  if (isExternal()) {
    console.log(`(KAFKA_BROKERS and MONGODB_URI are set: apps and tests use ${JSON.stringify(stackEnv())})`);
  }
  if (extraNodes.length)
    console.log(
      `(a Kafka cluster of ${extraNodes.length + 1} nodes; ${kafkaNodeCount() === 1 ? 'data formatted for it: `stack:down -- --purge` returns to one node' : 'STACK_KAFKA_BROKERS'})`,
    );
  if (states[0][1].answering || isExternal()) {
    const brokers = stackEnv().KAFKA_BROKERS;
    try {
      printKafkaStatus(await kafkaStatus(brokers), brokers);
    } catch (err) {
      console.log(`\nKafka ${brokers}: no answer (${err.message})`);
    }
  }
  return states.map(([name, s, version]) => ({ name, version, ...s }));
}

module.exports = { up, down, status };
