import { Model, Types } from 'mongoose';
import { BUCKET_MS } from './inbox-bucket';
import { InboxBucketDirectory } from './inbox-bucket.directory';
import { InboxBuckets } from '../dal/inbox-buckets/inbox-bucket.schema';

type Op = { updateOne: { filter: { _id: string } } };

/** A directory over a stand-in collection whose `bulkWrite` the test controls. */
function directory(bulkWrite: jest.Mock) {
  return new InboxBucketDirectory({ collection: { bulkWrite } } as unknown as Model<InboxBuckets>);
}

const HOUR = 493_000;
const doc = (recipientId: string, hour = HOUR) => ({
  _id: Types.ObjectId.createFromTime((hour * BUCKET_MS) / 1000 + 5),
  recipientId,
});
const usersOf = (call: unknown[]) => (call[0] as Op[]).map((o) => o.updateOne.filter._id);
const duplicateKey = () =>
  Object.assign(new Error('E11000 duplicate key error collection: inbox_buckets'), { code: 11000 });

describe('InboxBucketDirectory.record', () => {
  it('writes a pair that a concurrent call is already recording only once, and both calls wait for that write', async () => {
    let finish!: () => void;
    const bulkWrite = jest
      .fn()
      .mockImplementationOnce(() => new Promise<void>((r) => (finish = r)))
      .mockResolvedValue({});
    const dir = directory(bulkWrite);
    let secondDone = false;
    const first = dir.record([doc('bob'), doc('carol')]);
    const second = dir.record([doc('bob')]).then(() => (secondDone = true));
    await new Promise((r) => setImmediate(r));
    expect(bulkWrite).toHaveBeenCalledTimes(1);
    expect(secondDone).toBe(false);
    finish();
    await Promise.all([first, second]);
    expect(bulkWrite).toHaveBeenCalledTimes(1);
    await dir.record([doc('bob'), doc('carol')]);
    expect(bulkWrite).toHaveBeenCalledTimes(1);
  });

  it('fails a call whose pairs were being written by a write that failed, and writes them again next time', async () => {
    const bulkWrite = jest.fn().mockRejectedValueOnce(new Error('connection reset')).mockResolvedValue({});
    const dir = directory(bulkWrite);
    const first = dir.record([doc('bob')]);
    const second = dir.record([doc('bob')]);
    await expect(first).rejects.toThrow('connection reset');
    await expect(second).rejects.toThrow('connection reset');
    await dir.record([doc('bob')]);
    expect(bulkWrite).toHaveBeenCalledTimes(2);
    expect(usersOf(bulkWrite.mock.calls[1])).toEqual(['bob']);
  });

  it('repeats an upsert command that lost a race for a new user (duplicate key), and gives up after a few', async () => {
    const bulkWrite = jest.fn().mockRejectedValueOnce(duplicateKey()).mockResolvedValueOnce({});
    await directory(bulkWrite).record([doc('bob')]);
    expect(bulkWrite).toHaveBeenCalledTimes(2);
    const always = jest.fn().mockRejectedValue(duplicateKey());
    await expect(directory(always).record([doc('bob')])).rejects.toThrow('E11000');
    expect(always).toHaveBeenCalledTimes(5);
  });

  it('sends at most 50 upserts per command, one per recipient with all its new hours', async () => {
    const bulkWrite = jest.fn().mockResolvedValue({});
    const users = Array.from({ length: 120 }, (_, i) => `user-${i}`);
    await directory(bulkWrite).record([...users.map((u) => doc(u)), doc('user-0', HOUR + 1)]);
    expect(bulkWrite.mock.calls.map((c) => (c[0] as Op[]).length)).toEqual([50, 50, 20]);
    expect(bulkWrite.mock.calls.flatMap(usersOf).sort()).toEqual([...users].sort());
    const first = (
      bulkWrite.mock.calls[0][0] as Array<{ updateOne: { update: { $addToSet: { hours: { $each: number[] } } } } }>
    )[0];
    expect(first.updateOne.update.$addToSet.hours.$each).toEqual([HOUR, HOUR + 1]);
  });
});
