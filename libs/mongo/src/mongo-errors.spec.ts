import { Error as MongooseError, mongo } from 'mongoose';
import { isDuplicateKeyError, isPermanentWriteError, isTransientMongoError } from './mongo-errors';

/** A driver bulk-write error as `insertMany` raises it (the driver's own class). */
const bulk = (error: Error | { message: string; code?: number; writeErrors?: Array<{ code: number }> }) =>
  new mongo.MongoBulkWriteError(error as never, {} as never);

describe('MongoDB error classification', () => {
  const refused = new mongo.MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017');

  it.each<[string, unknown]>([
    ['a network error', refused],
    ['a network error wrapped by insertMany (MongoBulkWriteError without write errors)', bulk(refused)],
    [
      'a cleared connection pool wrapped by insertMany',
      bulk(new mongo.MongoServerSelectionError('Server selection timed out after 5000 ms', {} as never)),
    ],
    [
      'mongoose "buffering timed out" (command queued while disconnected)',
      new MongooseError('Operation `notifications.insertMany()` buffering timed out after 10000ms'),
    ],
    ['an error whose cause is a network error', new Error('store failed', { cause: refused })],
    ['NotWritablePrimary', Object.assign(new mongo.MongoServerError({ message: 'not primary' }), { code: 10107 })],
  ])('treats %s as transient (retry, never dead-letter)', (_, err) => {
    expect(isTransientMongoError(err)).toBe(true);
    expect(isPermanentWriteError(err)).toBe(false);
  });

  it.each<[string, unknown]>([
    [
      'a document validation failure',
      Object.assign(new mongo.MongoServerError({ message: 'Document failed validation' }), { code: 121 }),
    ],
    [
      'an unordered insert with a too-large document and a duplicate',
      bulk({ message: 'too large', code: 10334, writeErrors: [{ code: 10334 }, { code: 11000 }] }),
    ],
    ['a mongoose validation error', new MongooseError.ValidationError()],
  ])('treats %s as permanent (dead-letter)', (_, err) => {
    expect(isPermanentWriteError(err)).toBe(true);
    expect(isTransientMongoError(err)).toBe(false);
  });

  it('treats an unknown error as neither: the consumer retries it rather than moving it aside', () => {
    const err = new TypeError('cannot read properties of undefined');
    expect(isTransientMongoError(err)).toBe(false);
    expect(isPermanentWriteError(err)).toBe(false);
  });

  it('reads write-error codes in the shape mongoose insertMany leaves them ({ err: { code }, index })', () => {
    // What FerretDB + mongoose 8 really raise for an unordered insert hitting the unique index.
    const asMongooseLeavesIt = (codes: number[]) =>
      Object.assign(bulk({ message: 'E11000 duplicate key error', code: codes[0] }), {
        writeErrors: codes.map((code, index) => ({ err: { index, code, errmsg: `code ${code}` }, index })),
      });
    expect(isDuplicateKeyError(asMongooseLeavesIt([11000]))).toBe(true);
    expect(isDuplicateKeyError(asMongooseLeavesIt([11000, 11000]))).toBe(true);
    expect(isDuplicateKeyError(asMongooseLeavesIt([11000, 121]))).toBe(false);
    expect(isPermanentWriteError(asMongooseLeavesIt([11000, 121]))).toBe(true);
    expect(isPermanentWriteError(asMongooseLeavesIt([11000, 99999]))).toBe(false);
  });

  it('recognises duplicate keys, alone or as every write error of an unordered insert', () => {
    expect(isDuplicateKeyError(Object.assign(new Error('E11000'), { code: 11000 }))).toBe(true);
    expect(
      isDuplicateKeyError(bulk({ message: 'E11000', code: 11000, writeErrors: [{ code: 11000 }, { code: 11000 }] })),
    ).toBe(true);
    expect(
      isDuplicateKeyError(bulk({ message: 'mixed', code: 11000, writeErrors: [{ code: 11000 }, { code: 121 }] })),
    ).toBe(false);
    expect(isDuplicateKeyError(bulk(refused))).toBe(false);
  });
});
