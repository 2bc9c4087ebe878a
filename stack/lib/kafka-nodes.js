'use strict';
/**
 * Throw-away Kafka clusters of 1..N KRaft nodes (each broker+controller, the stack's Kafka jars),
 * run as children of the caller on ports and in a folder the caller gives, never touching the
 * shared stack (.stack/). For the cluster fault tests (test/cluster): a 3-node cluster whose
 * topics have replication factor 3 and `min.insync.replicas=2`, nodes killed and restarted one by
 * one; a node whose client listener is reached through Toxiproxy (an extra listener advertised at
 * the proxy's port); a node with a TLS listener.
 *
 * Each node has a PLAINTEXT listener (inter-broker traffic and the tests' own clients), a
 * CONTROLLER listener (the KRaft quorum: `controller.quorum.voters`, static membership), and
 * optionally an EXTERNAL listener, PLAINTEXT or SSL, advertised at `advertisedPort` (Kafka
 * "listeners" / "advertised.listeners": a client connects to the address the metadata gives it,
 * so a proxy in front of a broker must be the advertised address of that broker's listener).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { paths } = require('./config');
const { ensureKafkaJars } = require('./kafka');
const { spawnChild } = require('./secure-servers');
const { nodeProperties } = require('./kafka-props');
const { StackError, log, since, run, portOpen, retryUntil } = require('./proc');

/** @typedef {import('./kafka-props').NodePorts} NodePorts */

/**
 * @typedef {object} KafkaNode
 * @property {number} id node.id (1-based)
 * @property {NodePorts} ports
 * @property {() => boolean} running
 * @property {() => number|undefined} pid
 * @property {(signal?: NodeJS.Signals) => Promise<number>} stop sends `signal` (default SIGTERM;
 *   SIGKILL = `kill -9`), waits for the exit (SIGKILL after 60 s); resolves with the ms it took
 * @property {() => Promise<number>} start starts the node again (same data) and waits until its
 *   client port accepts connections; resolves with the ms it took
 * @property {() => string} logs the node's output since its last start
 */

/**
 * @typedef {object} KafkaCluster
 * @property {KafkaNode[]} nodes
 * @property {string} brokers the PLAINTEXT listeners, comma-separated `host:port` (KAFKA_BROKERS)
 * @property {string} [externalBrokers] the advertised EXTERNAL addresses, when configured
 * @property {() => Promise<void>} stop stops every node (SIGTERM, then SIGKILL after 10 s)
 */

/**
 * Formats and starts a KRaft cluster of `ports.length` nodes, waits until each client port accepts
 * connections and the cluster answers `describeCluster` with every broker.
 * @param {{ports: NodePorts[], dir: string, heapMb?: number, tls?: {keystore: string, password: string}}} o
 *   heapMb: -Xmx of each node (default 384)
 * @returns {Promise<KafkaCluster>}
 * @throws {Error} with the node's output when a node exits or does not listen within 120 s
 */
async function startKafkaCluster({ ports, dir, heapMb = 384, tls }) {
  await ensureKafkaJars();
  const cp = path.join(paths.kafkaLibs, '*');
  // A KRaft cluster id is 16 random bytes, base64url without padding; `--cluster-id=` as it may start with `-`.
  const clusterId = crypto.randomBytes(16).toString('base64url');
  const t0 = Date.now();
  const nodes = await Promise.all(
    ports.map(async (p, i) => {
      const id = i + 1;
      const home = path.join(dir, `node-${id}`);
      fs.mkdirSync(home, { recursive: true });
      const propsFile = path.join(home, 'server.properties');
      const props = nodeProperties(id, ports, path.join(home, 'data'), tls);
      fs.writeFileSync(
        propsFile,
        `${Object.entries(props)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}\n`,
      );
      await run(
        'java',
        ['-cp', cp, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile],
        { cwd: home, stdio: 'pipe' },
      );
      return makeNode(id, p, home, propsFile, cp, heapMb);
    }),
  );
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    throw err;
  }
  const brokers = ports.map((p) => `127.0.0.1:${p.client}`).join(',');
  const external = ports.every((p) => p.external)
    ? ports.map((p) => `127.0.0.1:${p.advertisedPort || p.external}`).join(',')
    : undefined;
  log(`Kafka cluster of ${nodes.length} node(s) on ${brokers} (${since(t0)})`);
  return {
    nodes,
    brokers,
    externalBrokers: external,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
    },
  };
}

/** One node's lifecycle (see KafkaNode). */
function makeNode(id, ports, home, propsFile, cp, heapMb) {
  let proc;
  const args = [
    `-Xms128m`,
    `-Xmx${heapMb}m`,
    '-XX:+UseSerialGC',
    '-cp',
    cp,
    `-Dlog4j2.configurationFile=${paths.kafkaLog4j}`,
    'kafka.Kafka',
    propsFile,
  ];
  const running = () => Boolean(proc && proc.child.exitCode === null && proc.child.signalCode === null);
  return {
    id,
    ports,
    running,
    pid: () => (running() ? proc.child.pid : undefined),
    logs: () => (proc ? proc.logs() : ''),
    stop: async (signal = 'SIGTERM') => {
      const t = Date.now();
      if (!running()) return 0;
      const exited = new Promise((r) => proc.child.once('exit', r));
      proc.child.kill(signal);
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
      return Date.now() - t;
    },
    start: async () => {
      const t = Date.now();
      if (running()) return 0;
      proc = spawnChild('java', args, home);
      await retryUntil(
        async () => {
          if (!running()) throw new StackError(`Kafka node ${id} exited:\n${proc.logs().slice(-3000)}`);
          if (!(await portOpen(ports.client))) throw new Error(`Kafka node ${id} not listening on ${ports.client} yet`);
        },
        120_000,
        300,
      );
      return Date.now() - t;
    },
  };
}

module.exports = { startKafkaCluster };
