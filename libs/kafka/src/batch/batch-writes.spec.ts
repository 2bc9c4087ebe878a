import { KafkaMessage, Producer, ProducerRecord } from 'kafkajs';
import { BatchWrites } from './batch-writes';
import { DecodedRecord } from './batch-dead-letter';
import { KafkaBatchContext } from './kafka-batch.context';

type Ev = { conversation: string; n: number };

const refused = () => Object.assign(new Error('Document failed validation'), { code: 121 });

/** Records of `evs` at offsets 0.., a batch context whose producer keeps what it sends (the DLQ). */
function setup(evs: Ev[]) {
  const valid: Array<DecodedRecord<Ev>> = evs.map((event, i) => ({
    record: { offset: String(i), key: null, value: Buffer.from(JSON.stringify(event)), headers: {} } as KafkaMessage,
    event,
  }));
  const sent: ProducerRecord[] = [];
  const producer = { send: jest.fn(async (r: ProducerRecord) => void sent.push(r)) } as unknown as Producer;
  const ctx = new KafkaBatchContext([
    valid.map((v) => v.record),
    0,
    'message.created',
    {} as never,
    jest.fn(async () => undefined),
    producer,
    String(evs.length),
  ]);
  const counted: string[] = [];
  const batch = new BatchWrites({
    groupId: 'conversations',
    what: 'projection write',
    rules: { name: 'test db', isPermanent: (e) => (e as { code?: number }).code === 121, isTransient: () => false },
    isStopping: () => false,
    countDeadLetter: (topic, reason) => counted.push(`${topic} ${reason}`),
    logger: { warn: () => undefined },
  });
  return { valid, ctx, batch, sent, counted };
}

describe('BatchWrites.write: one write for the batch; after a refused document, group by group', () => {
  it('writes the whole batch once when it succeeds, dead-lettering nothing', async () => {
    const { valid, ctx, batch, sent } = setup([
      { conversation: 'a', n: 1 },
      { conversation: 'b', n: 2 },
    ]);
    const calls: number[][] = [];
    const result = await batch.write(ctx, valid, {
      write: async (group) => (calls.push(group.map((g) => g.event.n)), group.length),
      groupOf: (v) => v.event.conversation,
      empty: () => 0,
      merge: (rs) => rs.reduce((x, y) => x + y, 0),
    });
    expect(result).toBe(2);
    expect(calls).toEqual([[1, 2]]);
    expect(sent).toEqual([]);
  });

  it('writes each group alone after a permanent failure, and dead-letters only the records of the group refused', async () => {
    const { valid, ctx, batch, sent, counted } = setup([
      { conversation: 'a', n: 1 },
      { conversation: 'b', n: 2 },
      { conversation: 'a', n: 3 },
      { conversation: 'b', n: 4 },
      { conversation: 'c', n: 5 },
    ]);
    const calls: number[][] = [];
    const result = await batch.write(ctx, valid, {
      write: async (group) => {
        calls.push(group.map((g) => g.event.n));
        if (group.some((g) => g.event.conversation === 'b')) throw refused();
        return group.length;
      },
      groupOf: (v) => v.event.conversation,
      empty: () => 0,
      merge: (rs) => rs.reduce((x, y) => x + y, 0),
    });
    // The batch, then the groups in order of their first record, each with its records in offset order.
    expect(calls).toEqual([[1, 2, 3, 4, 5], [1, 3], [2, 4], [5]]);
    expect(result).toBe(3); // a: 2, b: dead-lettered (empty), c: 1
    expect(sent.map((r) => [r.topic, r.messages.map((m) => m.value?.toString())])).toEqual([
      ['message.created.dlq', [JSON.stringify(valid[1].event)]],
      ['message.created.dlq', [JSON.stringify(valid[3].event)]],
    ]);
    expect(counted).toEqual(['message.created store-failed', 'message.created store-failed']);
  });
});
