import { isPermanentSendError, resendUntilAcknowledged, SEND_ATTEMPTS } from './send-retry';

const protocolError = (retriable: boolean) =>
  Object.assign(new Error('broker said no'), { name: 'KafkaJSProtocolError', retriable });

describe('resendUntilAcknowledged: a failed produce call is sent again whole', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('calls the send again with the same records until it is acknowledged', async () => {
    const calls: string[][] = [];
    const records = ['a', 'b', 'c'];
    const send = jest.fn(async () => {
      calls.push([...records]);
      if (calls.length < 3)
        throw Object.assign(new Error('leader moved'), { name: 'KafkaJSProtocolError', retriable: true });
      return 'acked';
    });
    const result = resendUntilAcknowledged(send);
    await jest.runAllTimersAsync();
    await expect(result).resolves.toBe('acked');
    expect(calls).toEqual([records, records, records]);
  });

  it('gives up after SEND_ATTEMPTS attempts with the last error', async () => {
    const send = jest.fn(async () => {
      throw new Error('connection closed');
    });
    const result = resendUntilAcknowledged(send);
    const settled = expect(result).rejects.toThrow('connection closed');
    await jest.runAllTimersAsync();
    await settled;
    expect(send).toHaveBeenCalledTimes(SEND_ATTEMPTS);
  });

  it('does not resend after a permanent protocol error', async () => {
    const send = jest.fn(async () => {
      throw protocolError(false);
    });
    await expect(resendUntilAcknowledged(send)).rejects.toThrow('broker said no');
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('isPermanentSendError', () => {
  it('is true for a non-retriable protocol error, also wrapped, and false otherwise', () => {
    expect(isPermanentSendError(protocolError(false))).toBe(true);
    expect(
      isPermanentSendError(
        Object.assign(new Error('retries exceeded'), {
          name: 'KafkaJSNumberOfRetriesExceeded',
          cause: protocolError(false),
        }),
      ),
    ).toBe(true);
    expect(isPermanentSendError(protocolError(true))).toBe(false);
    expect(isPermanentSendError(new Error('socket hang up'))).toBe(false);
  });
});
