import { idempotencyRecordId } from './idempotency.service';

describe('idempotencyRecordId', () => {
  it('keeps the sender:key form for sender ids without a colon', () => {
    expect(idempotencyRecordId('alice', 'k-1')).toBe('alice:k-1');
  });

  it('gives different records to pairs that would concatenate alike', () => {
    const pairs: Array<[string, string]> = [
      ['a:b', 'c'],
      ['a', 'b:c'],
      ['a:b:c', ''],
      ['1#a', 'b'],
      ['a:', 'b'],
    ];
    const ids = pairs.map(([s, k]) => idempotencyRecordId(s, k));
    expect(new Set(ids).size).toBe(pairs.length);
  });

  it('is stable for the same pair', () => {
    expect(idempotencyRecordId('org:alice', 'k')).toBe(idempotencyRecordId('org:alice', 'k'));
  });
});
