import { ArrivalLedger } from '../../bench/lib/arrival-ledger';

const created = (id: string, recipientId: string): string =>
  JSON.stringify({ type: 'notification.created', data: { id, recipientId } });
const updated = (id: string, recipientId: string, count: number): string =>
  JSON.stringify({ type: 'notification.updated', data: { id, recipientId, count } });

describe('arrival ledger of the end-to-end benchmark (bench/lib/arrival-ledger.ts)', () => {
  it('credits the messages a fold push covers, in order, at the time of the push', () => {
    const ledger = new ArrivalLedger();
    ledger.record(created('n1', 'bob'), 10);
    ledger.record(updated('n1', 'bob', 3), 20); // two messages folded in one batch
    ledger.record(updated('n1', 'bob', 4), 30);
    expect(ledger.total).toBe(4);
    expect(ledger.settle('bob', 4)).toEqual([10, 20, 20, 30]);
  });

  it('leaves messages no push covered missing, and a later phase goes on after an earlier one', () => {
    const ledger = new ArrivalLedger();
    ledger.record(created('n1', 'bob'), 10);
    expect(ledger.settle('bob', 1)).toEqual([10]);
    ledger.record(updated('n1', 'bob', 2), 40);
    expect(ledger.settle('bob', 3)).toEqual([40, undefined, undefined]);
    expect(ledger.settledTotal).toBe(4);
  });

  it('counts a redelivered or stale push once, per recipient and notification', () => {
    const ledger = new ArrivalLedger();
    ledger.record(updated('n1', 'bob', 2), 10);
    ledger.record(updated('n1', 'bob', 2), 20);
    ledger.record(created('n1', 'bob'), 30);
    ledger.record(created('n2', 'bob'), 40); // a new burst
    ledger.record(created('n1', 'carol'), 50);
    ledger.record('not json', 60);
    expect(ledger.total).toBe(4);
    expect(ledger.settle('bob', 3)).toEqual([10, 10, 40]);
    expect(ledger.settle('carol', 2)).toEqual([50, undefined]);
  });
});
