/**
 * Typed access to the throw-away Kafka clusters and Toxiproxy of stack/lib (plain JavaScript), and
 * the ports of the cluster tests: every port is `CLUSTER_PORT_BASE` (default 29100) plus a fixed
 * offset below 100, so the tests never use the default stack's ports (9092/9093/27017/5433, apps
 * 3000/3001) and CI can run them after the other suites. The default lies below Linux's ephemeral
 * range (`net.ipv4.ip_local_port_range`, 32768–60999 by default), from which the kernel picks the
 * local port of every outgoing connection: a fixed port in it can be taken by a client socket of an
 * earlier test or of another process ("address already in use", seen at 39102).
 */
export interface NodePorts {
  client: number;
  controller: number;
  external?: number;
  advertisedPort?: number;
}

export interface KafkaNode {
  id: number;
  ports: NodePorts;
  running(): boolean;
  pid(): number | undefined;
  /** SIGTERM (default) or SIGKILL; resolves with the ms until it exited. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  /** Starts it again (same data); resolves with the ms until its client port listens. */
  start(): Promise<number>;
  logs(): string;
}

export interface KafkaCluster {
  nodes: KafkaNode[];
  /** PLAINTEXT listeners, `host:port,...`. */
  brokers: string;
  /** Advertised EXTERNAL listeners, when configured. */
  externalBrokers?: string;
  stop(): Promise<void>;
}

export interface ToxiproxyServer {
  port: number;
  api: string;
  logs(): string;
  stop(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const kafkaNodes = require('../../stack/lib/kafka-nodes') as {
  startKafkaCluster(o: {
    ports: NodePorts[];
    dir: string;
    heapMb?: number;
    tls?: { keystore: string; password: string };
  }): Promise<KafkaCluster>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const toxiproxy = require('../../stack/lib/toxiproxy') as {
  startToxiproxy(o: { port: number; dir: string }): Promise<ToxiproxyServer>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const topics = require('../../stack/lib/topics') as {
  ensureTopics(
    brokers: string,
    o?: { partitions?: number; replicationFactor?: number },
  ): Promise<{ created: string[] }>;
};

/**
 * Port `offset` (0..99) above `CLUSTER_PORT_BASE` (default 29100).
 * @throws Error when the base is not a number or the port would pass 65535
 */
export function clusterPort(offset: number): number {
  const base = Number(process.env.CLUSTER_PORT_BASE || 29100);
  if (!Number.isInteger(base) || base < 1024 || base + offset > 65535)
    throw new Error(`CLUSTER_PORT_BASE=${process.env.CLUSTER_PORT_BASE} is not usable`);
  return base + offset;
}

/**
 * Creates Herald's topics on a throw-away cluster with the given replication factor (the apps
 * would create them with the broker's default, but the tests want them before the apps start).
 */
export async function createTopics(brokers: string, replicationFactor: number, partitions = 3): Promise<void> {
  await topics.ensureTopics(brokers, { partitions, replicationFactor });
}

/**
 * Points the tests' own Kafka clients (kafka-probe, consumer-group: `testServers().KAFKA_BROKERS`)
 * at `brokers` for the rest of this test file; returns the function that restores the old value.
 */
export function useBrokers(brokers: string): () => void {
  const old = process.env.KAFKA_BROKERS;
  process.env.KAFKA_BROKERS = brokers;
  return () => {
    process.env.KAFKA_BROKERS = old;
  };
}
