import { KafkaMessage } from 'kafkajs';
import { chunksOf } from '../raw-server-kafka';
import { KafkaBatchContext } from './kafka-batch.context';

const record = (offset: string): KafkaMessage =>
  ({ offset, key: null, value: null, timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

describe('chunksOf', () => {
  it('cuts a list into runs of at most n, in order', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([1, 2], 5)).toEqual([[1, 2]]);
    expect(chunksOf([], 3)).toEqual([]);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => chunksOf([1], 0)).toThrow(RangeError);
    expect(() => chunksOf([1], 1.5)).toThrow(RangeError);
  });
});

describe('KafkaBatchContext', () => {
  const ctx = (messages: KafkaMessage[], highWatermark: string) =>
    new KafkaBatchContext([
      messages,
      2,
      'message.created',
      {} as never,
      async () => undefined,
      {} as never,
      highWatermark,
    ]);

  it('gives the records, topic and partition', () => {
    const c = ctx([record('7'), record('8')], '9');
    expect(c.getMessages().map((m) => m.offset)).toEqual(['7', '8']);
    expect(c.getTopic()).toBe('message.created');
    expect(c.getPartition()).toBe(2);
  });

  it('computes the lag left after its last record from the high watermark', () => {
    expect(ctx([record('7'), record('8')], '9').getLagAfter()).toBe(0);
    expect(ctx([record('10')], '1011').getLagAfter()).toBe(1000);
    expect(ctx([record('10')], '5').getLagAfter()).toBe(0);
  });
});
