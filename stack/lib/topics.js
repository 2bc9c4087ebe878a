'use strict';
/**
 * Kafka topics of the system. The names are defined only in libs/contracts/src/topics.ts; that
 * module has no imports, so it is compiled here with the project's TypeScript compiler and its
 * exported `ALL_TOPICS` read as values (no parsing of its text).
 */
const fs = require('node:fs');
const vm = require('node:vm');
const { paths } = require('./config');
const { kafkaClient } = require('./kafka');

/**
 * Topic names: `ALL_TOPICS` of topics.ts, evaluated.
 * @param {string} [file] default libs/contracts/src/topics.ts
 * @returns {string[]} unique names, in declaration order
 * @throws {Error} when the module does not compile to an `ALL_TOPICS` of strings
 */
function readTopics(file = paths.topicsTs) {
  const ts = require('typescript');
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS },
  }).outputText;
  const mod = { exports: {} };
  vm.runInNewContext(js, { module: mod, exports: mod.exports }, { filename: file });
  const names = mod.exports.ALL_TOPICS;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
    throw new Error(`${file} does not export ALL_TOPICS as a non-empty list of names`);
  }
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
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: o.replicationFactor || 1,
        })),
      });
    }
    return { created: missing, existing: names.filter((t) => present.has(t)) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

module.exports = { readTopics, ensureTopics };
