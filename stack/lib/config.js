'use strict';
/**
 * Paths and ports of the local stack. Everything is derived at runtime from this file's location
 * (the repo root is two folders up), so nothing machine-specific is stored in the repo.
 */
const fs = require('node:fs');
const path = require('node:path');

/** Absolute path of the repository root. */
const ROOT = path.resolve(__dirname, '..', '..');
/** Absolute path of the gitignored state folder (`.stack/`, or env HERALD_STACK_DIR). */
const STACK_DIR = process.env.HERALD_STACK_DIR ? path.resolve(process.env.HERALD_STACK_DIR) : path.join(ROOT, '.stack');
/**
 * Absolute path of the folder holding what the stack downloads and builds (Kafka jars, FerretDB
 * binary): env HERALD_STACK_CACHE_DIR, else the state folder. Lets a second stack (own ports, data,
 * logs and pids in another HERALD_STACK_DIR, e.g. the benchmark's) reuse them without refetching.
 */
const CACHE_DIR = process.env.HERALD_STACK_CACHE_DIR ? path.resolve(process.env.HERALD_STACK_CACHE_DIR) : STACK_DIR;

/** Every file and folder the stack reads or writes (absolute paths). */
const paths = {
  root: ROOT,
  stack: STACK_DIR,
  cache: CACHE_DIR,
  topicsTs: path.join(ROOT, 'libs', 'contracts', 'src', 'topics.ts'),
  kafkaPom: path.join(ROOT, 'stack', 'kafka', 'pom.xml'),
  kafkaLog4j: path.join(ROOT, 'stack', 'kafka', 'log4j2.xml'),
  kafkaHome: path.join(STACK_DIR, 'kafka'),
  kafkaLibs: path.join(CACHE_DIR, 'kafka', 'libs'),
  kafkaToolsPom: path.join(ROOT, 'stack', 'kafka', 'tools', 'pom.xml'),
  kafkaToolsLog4j: path.join(ROOT, 'stack', 'kafka', 'tools', 'log4j2.xml'),
  kafkaToolsLibs: path.join(CACHE_DIR, 'kafka', 'tools-libs'),
  kafkaData: path.join(STACK_DIR, 'kafka', 'data'),
  kafkaProps: path.join(STACK_DIR, 'kafka', 'server.properties'),
  ferretSrc: path.join(ROOT, 'stack', 'ferretdb'),
  ferretHome: path.join(STACK_DIR, 'ferretdb'),
  ferretBin: path.join(CACHE_DIR, 'ferretdb', 'bin', 'herald-ferretdb'),
  ferretData: path.join(STACK_DIR, 'ferretdb', 'data'),
  logs: path.join(STACK_DIR, 'logs'),
  run: path.join(STACK_DIR, 'run'),
  envJson: path.join(STACK_DIR, 'env.json'),
};

/**
 * Log, pid and port files of one server.
 * @param {string} name `kafka` (node 1), `kafka-<i>`, `ferretdb` or `postgres`
 * @returns {{log: string, pid: string, port: string}} absolute paths
 */
function serverFiles(name) {
  return {
    log: path.join(paths.logs, `${name}.log`),
    pid: path.join(paths.run, `${name}.pid`),
    port: path.join(paths.run, `${name}.port`),
  };
}

/**
 * Reads a TCP port from the environment.
 * @param {string} name env variable
 * @param {number} fallback used when the variable is unset or empty
 * @returns {number}
 * @throws {Error} when the value is not a port number (1-65535)
 */
function portEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${raw} is not a TCP port`);
  return n;
}

/**
 * Ports to start the servers on: env STACK_KAFKA_PORT (9092), STACK_KAFKA_CONTROLLER_PORT (9093),
 * STACK_MONGO_PORT (27017), STACK_POSTGRES_PORT (5433: never a system PostgreSQL's 5432).
 * @returns {{kafka: number, kafkaController: number, mongo: number, postgres: number}}
 */
function configuredPorts() {
  return {
    kafka: portEnv('STACK_KAFKA_PORT', 9092),
    kafkaController: portEnv('STACK_KAFKA_CONTROLLER_PORT', 9093),
    mongo: portEnv('STACK_MONGO_PORT', 27017),
    postgres: portEnv('STACK_POSTGRES_PORT', 5433),
  };
}

/** Most Kafka nodes the stack starts (`--brokers N` / STACK_KAFKA_BROKERS). */
const MAX_KAFKA_NODES = 5;

/**
 * Kafka nodes of the local stack: env STACK_KAFKA_BROKERS (`npm run stack:up -- --brokers N` sets
 * it), default 1. Node i > 1 listens on STACK_KAFKA_PORT + 10 × (i − 1), its controller on
 * STACK_KAFKA_CONTROLLER_PORT + 10 × (i − 1).
 * @returns {number} 1..5
 * @throws {Error} when the variable holds another value
 */
function kafkaNodeCount() {
  const raw = process.env.STACK_KAFKA_BROKERS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_KAFKA_NODES)
    throw new Error(`STACK_KAFKA_BROKERS=${raw} is not 1..${MAX_KAFKA_NODES}`);
  return n;
}

/**
 * Server name, ports, properties file and data folder of Kafka node `i` (1-based) of the stack;
 * node 1 keeps the single broker's names (`kafka`, server.properties, data/).
 * @param {number} i
 * @returns {{name: string, client: number, controller: number, props: string, data: string}}
 */
function kafkaNode(i) {
  const p = configuredPorts();
  const offset = 10 * (i - 1);
  return {
    name: i === 1 ? 'kafka' : `kafka-${i}`,
    client: p.kafka + offset,
    controller: p.kafkaController + offset,
    props: i === 1 ? paths.kafkaProps : path.join(paths.kafkaHome, `server-${i}.properties`),
    data: i === 1 ? paths.kafkaData : path.join(paths.kafkaHome, `data-${i}`),
  };
}

/**
 * Client ports of the Kafka nodes the stack last started (recorded in `.stack/run/kafka*.port`),
 * node 1 first (the configured port when nothing is recorded).
 * @returns {number[]}
 */
function kafkaPorts() {
  const ports = [serverPort('kafka')];
  for (let i = 2; i <= MAX_KAFKA_NODES; i++) {
    const n = Number(readPort(serverFiles(`kafka-${i}`).port));
    if (n > 0) ports.push(n);
  }
  return ports;
}

/** @param {string} file @returns {string|null} */
function readPort(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Storage backends of the local FerretDB; the first is the default (chosen by measurement, see docs/database.md). */
const MONGO_BACKENDS = ['postgresql', 'sqlite'];

/**
 * Storage backend of the local FerretDB: env STACK_MONGO_BACKEND, else the default.
 * @returns {'postgresql'|'sqlite'}
 * @throws {Error} when the variable holds another value
 */
function mongoBackend() {
  const raw = process.env.STACK_MONGO_BACKEND;
  if (raw === undefined || raw === '') return MONGO_BACKENDS[0];
  if (!MONGO_BACKENDS.includes(raw)) {
    throw new Error(`STACK_MONGO_BACKEND=${raw} is not one of ${MONGO_BACKENDS.join(', ')}`);
  }
  return raw;
}

/**
 * Port a server was last started on (recorded in `.stack/run/<name>.port`), else the configured one.
 * @param {'kafka'|'ferretdb'} name
 * @returns {number}
 */
function serverPort(name) {
  try {
    const n = Number(fs.readFileSync(serverFiles(name).port, 'utf8').trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    /* not recorded */
  }
  const node = /^kafka-(\d+)$/.exec(name);
  if (node) return kafkaNode(Number(node[1])).client;
  const p = configuredPorts();
  return name === 'kafka' ? p.kafka : p.mongo;
}

/**
 * True when env KAFKA_BROKERS and MONGODB_URI are both set: external servers are used, nothing is
 * provisioned locally.
 * @returns {boolean}
 */
function isExternal() {
  return Boolean(process.env.KAFKA_BROKERS && process.env.MONGODB_URI);
}

/**
 * Connection settings for the apps and tests: the external ones (see isExternal) or the local stack's.
 * @returns {{KAFKA_BROKERS: string, MONGODB_URI: string}}
 */
function stackEnv() {
  if (isExternal()) {
    return { KAFKA_BROKERS: process.env.KAFKA_BROKERS, MONGODB_URI: process.env.MONGODB_URI };
  }
  return {
    KAFKA_BROKERS: kafkaPorts()
      .map((port) => `127.0.0.1:${port}`)
      .join(','),
    MONGODB_URI: `mongodb://127.0.0.1:${serverPort('ferretdb')}/herald`,
  };
}

module.exports = {
  paths,
  serverFiles,
  configuredPorts,
  serverPort,
  isExternal,
  stackEnv,
  mongoBackend,
  MONGO_BACKENDS,
  kafkaNodeCount,
  kafkaNode,
  kafkaPorts,
};
