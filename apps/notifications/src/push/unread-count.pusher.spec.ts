import { Subject } from 'rxjs';
import { InboxEvents } from '../inbox/inbox-events';
import { InboxService } from '../inbox/inbox.service';
import { PushEvent, PushHub } from './push-hub';
import { CountView } from '../inbox/dto/count.view';
import { UNREAD_COUNT_MIN_INTERVAL_MS, UnreadCountPusher } from './unread-count.pusher';

/** A pusher over a fake inbox whose counts resolve when the test says, and a fake hub. */
function setup() {
  const pending: Array<(n: number) => void> = [];
  const count = jest.fn(
    () => new Promise<CountView>((resolve) => pending.push((n) => resolve({ count: n, capped: false }))),
  );
  const sent: PushEvent[] = [];
  const hub = {
    isConnected: () => true,
    send: (_user: string, event: PushEvent) => sent.push(event),
  } as unknown as PushHub;
  const events = { stateChanged$: new Subject<string>() } as unknown as InboxEvents;
  const pusher = new UnreadCountPusher(events, { count } as unknown as InboxService, hub);
  return { pusher, count, pending, sent };
}

describe('UnreadCountPusher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('coalesces a burst of requests for one user into two counts, the last one taken after the burst', async () => {
    const { pusher, count, pending, sent } = setup();
    const first = pusher.push('bob');
    for (let i = 0; i < 10; i++) void pusher.push('bob');
    expect(count).toHaveBeenCalledTimes(1);
    pending[0](3);
    await jest.advanceTimersByTimeAsync(UNREAD_COUNT_MIN_INTERVAL_MS);
    expect(count).toHaveBeenCalledTimes(2);
    pending[1](13);
    await first;
    expect(sent).toEqual([
      { event: 'unread-count.changed', data: { count: 3, capped: false } },
      { event: 'unread-count.changed', data: { count: 13, capped: false } },
    ]);
  });

  it('counts users independently', () => {
    const { pusher, count } = setup();
    void pusher.push('bob');
    void pusher.push('carol');
    expect(count).toHaveBeenCalledTimes(2);
  });
});
