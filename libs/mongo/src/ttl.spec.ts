import { Model } from 'mongoose';
import { DocumentExpiry } from './ttl';

/** A stand-in for a mongoose model whose createIndex succeeds or fails like a given server. */
function fakeModel(createIndex: () => Promise<string>): { model: Model<any>; deleteMany: jest.Mock } {
  const deleteMany = jest.fn().mockResolvedValue({ deletedCount: 2 });
  const model = {
    collection: { collectionName: 'things', createIndex, deleteMany },
    db: { db: { command: jest.fn() } },
  };
  return { model: model as unknown as Model<any>, deleteMany };
}

describe('DocumentExpiry', () => {
  it('uses a TTL index where the server supports it (MongoDB)', async () => {
    const createIndex = jest.fn().mockResolvedValue('storedAt_ttl');
    const e = new DocumentExpiry(fakeModel(createIndex).model, 'storedAt', 3600);
    expect(await e.start()).toBe('ttl-index');
    expect(createIndex).toHaveBeenCalledWith({ storedAt: 1 }, { expireAfterSeconds: 3600, name: 'storedAt_ttl' });
    e.stop();
  });

  it('falls back to a sweep when TTL indexes are not implemented (FerretDB, code 238)', async () => {
    const err = Object.assign(new Error('Index option "expireAfterSeconds" is not implemented yet'), { code: 238 });
    const { model, deleteMany } = fakeModel(() => Promise.reject(err));
    const e = new DocumentExpiry(model, 'storedAt', 3600, 10_000);
    expect(await e.start()).toBe('sweep');
    const now = new Date('2026-11-24T12:00:00Z');
    expect(await e.sweepOnce(now)).toBe(2);
    expect(deleteMany).toHaveBeenCalledWith({ storedAt: { $lt: new Date('2026-11-24T11:00:00Z') } });
    e.stop();
  });
});
