'use strict';
/**
 * Kafka topics of the system. The names are defined only in libs/contracts/src/topics.ts; as that is
 * TypeScript, its text is parsed here instead of imported.
 */
const fs = require('node:fs');
const { paths } = require('./config');
const { kafkaClient } = require('./kafka');

/**
 * Topic names: the quoted string values inside `export const Topics = { ... }` of topics.ts.
 * @param {string} [file] default libs/contracts/src/topics.ts
 * @returns {string[]} unique names, in declaration order
 * @throws {Error} when the object or any name cannot be found
 */
function readTopics(file = paths.topicsTs) {
  const src = fs.readFileSync(file, 'utf8');
  const m = /export\s+const\s+Topics\s*=\s*\{([\s\S]*?)\}/.exec(src);
  if (!m) throw new Error(`cannot find "export const Topics = { ... }" in ${file}`);
  const body = m[1].replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const names = [...body.matchAll(/[\w$]+\s*:\s*(['"])([^'"]+)\1/g)].map((x) => x[2]);
  if (names.length === 0) throw new Error(`no topic names found in Topics of ${file}`);
  return [...new Set(names)];
}

/**
 * Creates the missing topics (replication factor 1 unless given); existing ones are left as they are.
 * @param {string} brokers comma-separated host:port list
 * @param {{partitions?: number, topics?: string[], replicationFactor?: number}} [o] partitions default: env
 *   KAFKA_TOPIC_PARTITIONS or 3; topics default: readTopics(); replicationFactor default 1 (the
 *   single-node stack; the cluster tests give 3)
 * @returns {Promise<{created: string[], existing: string[]}>}
 * @throws {Error} when Kafka is unreachable or rejects a topic
 */
async function ensureTopics(brokers, o = {}) {
  const partitions = o.partitions || Number(process.env.KAFKA_TOPIC_PARTITIONS) || 3;
  const names = o.topics || readTopics();
  const admin = kafkaClient(brokers, 5).admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = names.filter((t) => !present.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: o.replicationFactor || 1 })),
      });
    }
    return { created: missing, existing: names.filter((t) => present.has(t)) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

module.exports = { readTopics, ensureTopics };
