'use strict';
/**
 * What `npm run stack:status` shows of Kafka (kafkajs admin): each topic with its partitions and
 * offsets, each consumer group with its state, members (client id, host, assigned partitions) and
 * lag per partition. Lag = the partition's end offset (high watermark) minus the group's committed
 * offset, as Kafka's `kafka-consumer-groups --describe` computes it; on a partition where the group
 * has committed nothing yet, the end offset minus the earliest one (Herald's consumers start there).
 */
const { AssignerProtocol } = require('kafkajs');
const { kafkaClient } = require('./kafka');

/**
 * Reads topics, groups, offsets and lag.
 * @param {string} brokers comma-separated host:port
 * @returns {Promise<{topics: Array<{name: string, partitions: Array<{partition: number, low: number, high: number}>}>,
 *   groups: Array<{groupId: string, state: string, members: Array<{clientId: string, host: string, assignment: Record<string, number[]>}>,
 *   partitions: Array<{topic: string, partition: number, committed: number|null, end: number, lag: number}>, lag: number}>}>}
 *   offsets as numbers; committed null when the group committed nothing on that partition
 * @throws {Error} when Kafka does not answer
 */
async function kafkaStatus(brokers) {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
    const topics = [];
    const ends = new Map();
    for (const name of names) {
      const offs = (await admin.fetchTopicOffsets(name))
        .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
        .sort((a, b) => a.partition - b.partition);
      topics.push({ name, partitions: offs });
      for (const p of offs) ends.set(`${name}/${p.partition}`, p.high);
    }
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId).sort();
    const described = ids.length ? (await admin.describeGroups(ids)).groups : [];
    const groups = [];
    for (const g of described) {
      const members = g.members.map((m) => {
        let assignment = {};
        try {
          assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment || {};
        } catch {
          /* not a consumer protocol assignment */
        }
        return { clientId: m.clientId, host: m.clientHost, assignment };
      });
      const committed = await admin.fetchOffsets({ groupId: g.groupId });
      const partitions = [];
      for (const t of committed) {
        const byPartition = new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
        const topic = topics.find((x) => x.name === t.topic);
        for (const { partition, low, high } of topic ? topic.partitions : []) {
          const c = byPartition.get(partition) ?? -1;
          // No commit yet: Herald's consumers start from the earliest offset (subscribe.fromBeginning).
          partitions.push({
            topic: t.topic,
            partition,
            committed: c >= 0 ? c : null,
            end: high,
            lag: Math.max(0, high - (c >= 0 ? c : low)),
          });
        }
      }
      partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      groups.push({
        groupId: g.groupId,
        state: g.state,
        members,
        partitions,
        lag: partitions.reduce((n, p) => n + p.lag, 0),
      });
    }
    return { topics, groups };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Prints {@link kafkaStatus}: one line per topic, then per group a summary line
 * (`group <id>  <state>  members N  lag L`), its members, and one line per partition.
 * @param {Awaited<ReturnType<typeof kafkaStatus>>} s
 * @param {string} brokers for the heading
 */
function printKafkaStatus(s, brokers) {
  console.log(`\nKafka ${brokers}: topics (partition: end offset)`);
  const w = Math.max(...s.topics.map((t) => t.name.length), 5);
  for (const t of s.topics) {
    const records = t.partitions.reduce((n, p) => n + p.high - p.low, 0);
    console.log(
      `  ${t.name.padEnd(w)}  partitions ${t.partitions.length}  ${t.partitions.map((p) => `${p.partition}:${p.high}`).join(' ')}` +
        `  (${records} records kept)`,
    );
  }
  console.log(
    s.groups.length
      ? 'consumer groups (lag = end offset - committed offset, or - earliest offset before the first commit):'
      : 'no consumer groups',
  );
  for (const g of s.groups) {
    console.log(`group ${g.groupId}  ${g.state}  members ${g.members.length}  lag ${g.lag}`);
    for (const m of g.members) {
      const parts = Object.entries(m.assignment).map(
        ([topic, ps]) => `${topic} ${[...ps].sort((a, b) => a - b).join(',')}`,
      );
      console.log(`    member ${m.clientId} ${m.host}${parts.length ? `  assigned ${parts.join('; ')}` : ''}`);
    }
    for (const p of g.partitions) {
      console.log(
        `    ${p.topic} partition ${p.partition}  committed ${p.committed ?? '-'}  end ${p.end}  lag ${p.lag}`,
      );
    }
  }
}

module.exports = { kafkaStatus, printKafkaStatus };
