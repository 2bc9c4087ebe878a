import { Types } from 'mongoose';
import { bucketKey, hourOf, hourStartId, hoursAfter, hoursToWalk } from './inbox-bucket';

const at = (iso: string) => new Types.ObjectId(Math.floor(Date.parse(iso) / 1000));
const H = (iso: string) => Math.floor(Date.parse(iso) / 3_600_000);

describe('inbox hour buckets', () => {
  it('puts an ObjectId in the hour of its timestamp', () => {
    expect(hourOf(at('2026-12-01T10:59:59Z'))).toBe(H('2026-12-01T10:00:00Z'));
    expect(hourOf(at('2026-12-01T11:00:00Z'))).toBe(H('2026-12-01T11:00:00Z'));
    expect(bucketKey(7, 'bob')).toBe('7:bob');
  });

  it('starts an hour with an id below every id of that hour and above every earlier one', () => {
    const h = H('2026-12-01T11:00:00Z');
    const start = hourStartId(h).toHexString();
    expect(at('2026-12-01T11:00:00Z').toHexString() >= start).toBe(true);
    expect(at('2026-12-01T10:59:59Z').toHexString() < start).toBe(true);
    expect(hourOf(hourStartId(h))).toBe(h);
  });

  it('walks recorded hours newest first, after `since`, up to the cursor hour, at most max', () => {
    expect(hoursToWalk([3, 9, 5, 9, 7, 1], 1, undefined, 10)).toEqual([9, 7, 5, 3]);
    expect(hoursToWalk([3, 9, 5, 7], 0, undefined, 2)).toEqual([9, 7]);
    const cursor = hourStartId(5);
    expect(hoursToWalk([3, 9, 5, 7], 0, cursor, 10)).toEqual([5, 3]);
    expect(hoursToWalk([3], 3, undefined, 10)).toEqual([]);
  });

  it("catches up over recorded hours oldest first from the id's hour, and says when that is all", () => {
    expect(hoursAfter([9, 3, 5, 7, 5], 1, hourStartId(5), 10)).toEqual({ hours: [5, 7, 9], complete: true });
    expect(hoursAfter([9, 3, 5, 7], 1, hourStartId(4), 2)).toEqual({ hours: [5, 7], complete: false });
    expect(hoursAfter([9, 3, 5, 7], 5, hourStartId(5), 10)).toEqual({ hours: [], complete: false });
  });
});
