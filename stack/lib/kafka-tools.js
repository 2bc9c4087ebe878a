'use strict';
/**
 * Kafka's own command-line tools without Docker or a Kafka download: the `org.apache.kafka:kafka-tools`
 * jar of the broker's version and its dependencies, fetched from Maven Central like the broker's
 * (stack/kafka/tools/pom.xml, cached in `.stack/kafka/tools-libs`), run with `java` and the stack's
 * bootstrap server filled in: `npm run kafka -- <tool> [args]`.
 */
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { paths, stackEnv } = require('./config');
const { log, since, readText, sha256Files } = require('./proc');
const { fetchMavenJars, kafkaVersion } = require('./kafka');

/**
 * Tools by their name in Kafka's `bin/` (the `.sh` left out) → main class in kafka-tools.
 * Short aliases without the `kafka-` prefix work too.
 */
const TOOLS = {
  'kafka-topics': 'org.apache.kafka.tools.TopicCommand',
  'kafka-consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'kafka-console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'kafka-get-offsets': 'org.apache.kafka.tools.GetOffsetShell',
};

const MARKER = path.join(paths.kafkaToolsLibs, '.pom-sha256');

/**
 * Fetches kafka-tools and its runtime dependencies into the cache with Maven, unless the marker there
 * holds the sha256 of both poms (the broker's defines the version).
 * @returns {Promise<boolean>} true when it fetched
 * @throws {Error} when Maven fails
 */
async function ensureToolsJars() {
  const hash = sha256Files([paths.kafkaPom, paths.kafkaToolsPom]);
  if (readText(MARKER) === hash) return false;
  const t0 = Date.now();
  log(`fetching Kafka ${kafkaVersion()} tools (kafka-tools) from Maven Central…`);
  await fetchMavenJars(paths.kafkaToolsPom, paths.kafkaToolsLibs);
  fs.writeFileSync(MARKER, `${hash}\n`);
  log(`Kafka tools ready (${since(t0)})`);
  return true;
}

/**
 * The main class of a tool name (`kafka-topics` or `topics`).
 * @param {string} tool
 * @returns {string|undefined}
 */
function toolClass(tool) {
  return TOOLS[tool] || TOOLS[`kafka-${tool}`];
}

/**
 * Arguments for a tool: `--bootstrap-server` with the stack's brokers (stackEnv().KAFKA_BROKERS)
 * added unless given.
 * @param {string[]} args
 * @param {string} brokers
 * @returns {string[]}
 */
function withBootstrap(args, brokers) {
  return args.some((a) => a === '--bootstrap-server' || a.startsWith('--bootstrap-server='))
    ? args
    : ['--bootstrap-server', brokers, ...args];
}

/**
 * Runs a Kafka tool in the foreground, output inherited.
 * @param {string} tool e.g. kafka-topics, kafka-consumer-groups, kafka-console-consumer
 * @param {string[]} args the tool's arguments (its own `--help` lists them)
 * @returns {Promise<number>} the tool's exit code
 * @throws {Error} for an unknown tool or when the jars cannot be fetched
 */
async function runTool(tool, args) {
  const main = toolClass(tool || '');
  if (!main) {
    throw new Error(
      `usage: npm run kafka -- <tool> [args]; tools: ${Object.keys(TOOLS).join(', ')} (or without "kafka-")`,
    );
  }
  await ensureToolsJars();
  const javaArgs = [
    '-Xmx256m',
    '-cp',
    path.join(paths.kafkaToolsLibs, '*'),
    `-Dlog4j2.configurationFile=${paths.kafkaToolsLog4j}`,
    main,
    ...withBootstrap(args, stackEnv().KAFKA_BROKERS),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('java', javaArgs, { stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
    });
  });
}

module.exports = { TOOLS, ensureToolsJars, toolClass, withBootstrap, runTool };
