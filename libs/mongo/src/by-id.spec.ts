import type { mongo } from 'mongoose';
import { BY_ID_CONCURRENCY, findByIds, mapConcurrently } from './by-id';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('mapConcurrently', () => {
  it('resolves with the results in the order of the items, whatever order they finish in', async () => {
    const delays = [30, 0, 10, 5];
    const out = await mapConcurrently(delays, 2, (ms) => new Promise<number>((r) => setTimeout(() => r(ms), ms)));
    expect(out).toEqual(delays);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let running = 0;
    let most = 0;
    await mapConcurrently(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async () => {
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
      },
    );
    expect(most).toBe(3);
  });

  it('rejects with the error of a failed call', async () => {
    await expect(
      mapConcurrently([1, 2, 3], 2, (n) => (n === 2 ? Promise.reject(new Error('boom')) : Promise.resolve(n))),
    ).rejects.toThrow('boom');
  });
});

describe('findByIds', () => {
  /** A collection whose findOne answers from `docs` by `_id` and records what it was asked. */
  function fakeCollection(docs: Array<{ _id: string; v: number }>) {
    const findOne = jest.fn((filter: { _id: string }) =>
      Promise.resolve(docs.find((d) => d._id === filter._id) ?? null),
    );
    return { collection: { findOne } as unknown as mongo.Collection<{ _id: string; v: number }>, findOne };
  }

  it('reads each distinct id once with a lone _id equality, with the projection, and leaves out ids without a document', async () => {
    const { collection, findOne } = fakeCollection([
      { _id: 'a', v: 1 },
      { _id: 'b', v: 2 },
    ]);
    const found = await findByIds(collection, ['b', 'x', 'a', 'b'], { v: 1 });
    expect(found).toEqual([
      { _id: 'b', v: 2 },
      { _id: 'a', v: 1 },
    ]);
    expect(findOne.mock.calls).toEqual([
      [{ _id: 'b' }, { projection: { v: 1 } }],
      [{ _id: 'x' }, { projection: { v: 1 } }],
      [{ _id: 'a' }, { projection: { v: 1 } }],
    ]);
  });

  it('asks nothing for no ids, and at most BY_ID_CONCURRENCY reads at once', async () => {
    const { collection, findOne } = fakeCollection([]);
    expect(await findByIds(collection, [])).toEqual([]);
    expect(findOne).not.toHaveBeenCalled();
    let running = 0;
    let most = 0;
    const slow = {
      findOne: async () => {
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
        return null;
      },
    } as unknown as mongo.Collection<{ _id: number }>;
    await findByIds(
      slow,
      Array.from({ length: BY_ID_CONCURRENCY * 3 }, (_, i) => i),
    );
    expect(most).toBe(BY_ID_CONCURRENCY);
  });
});
