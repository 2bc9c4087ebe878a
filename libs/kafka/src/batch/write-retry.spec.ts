import { KafkaBatchContext } from './kafka-batch.context';
import { retryDelayMs, retryWrite, WriteRetryPolicy } from './write-retry';

/** A batch context whose heartbeat is counted (or fails, after a rebalance took the partition away). */
function context(heartbeat: () => Promise<void> = async () => undefined) {
  const beats = jest.fn(heartbeat);
  const ctx = new KafkaBatchContext([[], 0, 'message.created', {} as never, beats, {} as never, '0']);
  return { ctx, beats };
}

/** A policy: errors named `permanent` are permanent; `stopping` flips shutdown on. */
function policy(over: Partial<WriteRetryPolicy> = {}) {
  const warnings: string[] = [];
  const p: WriteRetryPolicy = {
    isPermanent: (err) => (err as Error).message === 'permanent',
    isStopping: () => false,
    warn: (m) => warnings.push(m),
    explain: () => 'MongoDB unavailable',
    ...over,
  };
  return { policy: p, warnings };
}

/** A write that fails with these errors in turn, then returns 'written'. */
function writeFailing(...errors: Error[]) {
  return jest.fn(async () => {
    const err = errors.shift();
    if (err) throw err;
    return 'written';
  });
}

describe('retryDelayMs: the backoff between retries of a batch write', () => {
  it('starts at 200 ms, doubles per attempt and stops at 5 s (bounds can be given)', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => retryDelayMs(a))).toEqual([200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    expect(retryDelayMs(0)).toBe(200);
    expect(retryDelayMs(3, 500, 1_000)).toBe(1_000);
  });
});

describe('retryWrite: retries a failed write in place until it succeeds; permanent errors go to onPermanent', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('returns the first successful result without waiting or heartbeating', async () => {
    const { ctx, beats } = context();
    const write = writeFailing();
    await expect(retryWrite(ctx, 'batch', write, async () => 'dead-lettered', policy().policy)).resolves.toBe(
      'written',
    );
    expect(write).toHaveBeenCalledTimes(1);
    expect(beats).not.toHaveBeenCalled();
  });

  it('retries a transient failure after the backoff, heartbeating before each new attempt', async () => {
    const { ctx, beats } = context();
    const write = writeFailing(new Error('connection reset'), new Error('connection reset'));
    const { policy: p, warnings } = policy();
    const result = retryWrite(ctx, '3 event(s) message.created/0@7..9', write, async () => 'dead-lettered', p);

    await jest.advanceTimersByTimeAsync(retryDelayMs(1) - 1);
    expect(write).toHaveBeenCalledTimes(1); // still waiting out the first backoff
    await jest.advanceTimersByTimeAsync(1);
    expect(write).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(retryDelayMs(2));
    await expect(result).resolves.toBe('written');
    expect(write).toHaveBeenCalledTimes(3);
    expect(beats).toHaveBeenCalledTimes(2);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^3 event\(s\) message\.created\/0@7\.\.9: MongoDB unavailable \(Error: connection reset\); retry 1 in 200 ms$/,
      ),
      expect.stringContaining('retry 2 in 400 ms'),
    ]);
  });

  it('hands a permanent error to onPermanent at once, with no retry', async () => {
    const { ctx, beats } = context();
    const write = writeFailing(new Error('permanent'));
    const onPermanent = jest.fn(async (err: Error) => `dead-lettered: ${err.message}`);
    await expect(retryWrite(ctx, 'batch', write, onPermanent, policy().policy)).resolves.toBe(
      'dead-lettered: permanent',
    );
    expect(write).toHaveBeenCalledTimes(1);
    expect(beats).not.toHaveBeenCalled();
  });

  it('stops at the first failure after shutdown began, throwing so that nothing is committed', async () => {
    const { ctx } = context();
    let stopping = false;
    const write = jest.fn(async () => {
      throw new Error('connection reset');
    });
    const result = retryWrite(
      ctx,
      'batch',
      write,
      async () => 'dead-lettered',
      policy({ isStopping: () => stopping }).policy,
    );
    const settled = result.catch((e: Error) => e);
    await jest.advanceTimersByTimeAsync(retryDelayMs(1)); // second attempt failed, now waiting 400 ms
    stopping = true;
    await jest.advanceTimersByTimeAsync(retryDelayMs(2)); // the attempt after the wait fails: no more
    expect(await settled).toEqual(new Error('shutting down with batch unwritten (not committed)'));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(write).toHaveBeenCalledTimes(3);
  });

  it('propagates a failed heartbeat (the partition was taken away) instead of retrying further', async () => {
    const { ctx } = context(async () => {
      throw new Error('The group is rebalancing');
    });
    const write = writeFailing(new Error('connection reset'), new Error('connection reset'));
    const settled = retryWrite(ctx, 'batch', write, async () => 'dead-lettered', policy().policy).catch(
      (e: Error) => e,
    );
    await jest.advanceTimersByTimeAsync(retryDelayMs(1));
    expect(await settled).toEqual(new Error('The group is rebalancing'));
    expect(write).toHaveBeenCalledTimes(1);
  });
});
