'use strict';
/**
 * server.properties of one node of a multi-node KRaft cluster on loopback (each node broker +
 * controller), shared by the stack's `--brokers N` cluster (kafka.js) and the throw-away clusters
 * of the cluster tests (kafka-nodes.js).
 */

/**
 * @typedef {object} NodePorts
 * @property {number} client PLAINTEXT listener (advertised as itself)
 * @property {number} controller CONTROLLER listener
 * @property {number} [external] EXTERNAL listener (plain, or TLS when `tls` is given)
 * @property {number} [advertisedPort] what EXTERNAL is advertised as (default `external`), e.g. a proxy's port
 */

/**
 * Properties of one node.
 * @param {number} id
 * @param {NodePorts[]} all ports of every node (the quorum)
 * @param {string} dataDir
 * @param {{keystore: string, truststore?: string, password: string}} [tls] EXTERNAL is SSL with this JKS/PKCS12 keystore
 * @returns {Record<string, string|number|boolean>}
 */
function nodeProperties(id, all, dataDir, tls) {
  const n = all.length;
  const p = all[id - 1];
  const minIsr = Math.min(2, n);
  const listeners = [`PLAINTEXT://127.0.0.1:${p.client}`, `CONTROLLER://127.0.0.1:${p.controller}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${p.client}`];
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  if (p.external) {
    listeners.push(`EXTERNAL://127.0.0.1:${p.external}`);
    advertised.push(`EXTERNAL://127.0.0.1:${p.advertisedPort || p.external}`);
    protocols.push(`EXTERNAL:${tls ? 'SSL' : 'PLAINTEXT'}`);
  }
  const props = {
    'process.roles': 'broker,controller',
    'node.id': id,
    'controller.quorum.voters': all.map((q, i) => `${i + 1}@127.0.0.1:${q.controller}`).join(','),
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': protocols.join(','),
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': dataDir,
    // Replication (Kafka docs "Design: Replication"): a write acknowledged with acks=all is on at
    // least min.insync.replicas replicas; unclean leader election (off by default) stays off.
    'default.replication.factor': n,
    'min.insync.replicas': minIsr,
    'unclean.leader.election.enable': false,
    'offsets.topic.replication.factor': n,
    'offsets.topic.num.partitions': 6,
    'transaction.state.log.replication.factor': n,
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': n,
    'share.coordinator.state.topic.min.isr': minIsr,
    'group.initial.rebalance.delay.ms': 0,
    // A SIGKILLed node cannot register again until its old session expires (default 9 s).
    'broker.session.timeout.ms': 3000,
    'broker.heartbeat.interval.ms': 1000,
    // A follower that stops fetching leaves the ISR after this (default 30 s).
    'replica.lag.time.max.ms': 10000,
    'auto.create.topics.enable': false,
    // Small footprint on a 2-core machine: fewer threads than the defaults (3 network, 8 I/O).
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.replica.fetchers': 1,
    'log.cleaner.threads': 1,
  };
  if (tls) {
    Object.assign(props, {
      'listener.name.external.ssl.keystore.location': tls.keystore,
      'listener.name.external.ssl.keystore.password': tls.password,
      'listener.name.external.ssl.key.password': tls.password,
      'listener.name.external.ssl.keystore.type': 'PKCS12',
      'listener.name.external.ssl.client.auth': 'none',
    });
  }
  return props;
}

module.exports = { nodeProperties };
