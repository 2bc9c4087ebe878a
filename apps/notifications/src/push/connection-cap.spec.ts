import { countingLeases } from './connection-cap';

const lease = (id: string, instanceId: string) => ({ id, instanceId, since: new Date(0) });

describe('countingLeases', () => {
  const leases = [lease('a', 'self'), lease('b', 'self'), lease('c', 'other'), lease('d', 'dead')];

  it('counts the leases of live instances and, of this one, only those it holds', () => {
    const live = countingLeases(leases, new Set(['self', 'other']), 'self', new Set(['a']));
    expect(live.map((l) => l.id)).toEqual(['a', 'c']);
  });

  it('drops every lease of an instance that is no longer alive', () => {
    expect(countingLeases(leases, new Set(['self']), 'self', new Set(['a', 'b'])).map((l) => l.id)).toEqual(['a', 'b']);
  });

  it('counts nothing for a user without leases', () => {
    expect(countingLeases([], new Set(['self']), 'self', new Set())).toEqual([]);
  });
});
