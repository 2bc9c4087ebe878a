import { sseSink } from './notification-stream.controller';
import { PushEvent, PushHub, sseFrame } from './push-hub';
import { StreamConnection } from './stream-connection';

/** A fake HTTP response recording what was written. */
function response() {
  const r = {
    out: [] as string[],
    destroyed: false,
    writableEnded: false,
    write: (c: string) => r.out.push(c) > 0,
    end: () => ((r.writableEnded = true), r),
  };
  return r;
}

const created = (id: string): PushEvent => ({ event: 'notification.created', data: { id }, id });
const count = (n: number): PushEvent => ({ event: 'unread-count.changed', data: { count: n } });
const frame = (e: PushEvent) => sseFrame(e.event, e.data, e.id);

describe('sseSink', () => {
  it('writes an event as one SSE frame with its id, events without one without an id line', () => {
    const res = response();
    const sink = sseSink(res as never);
    sink.write(created('a1'));
    sink.write(count(3));
    expect(res.out).toEqual([
      'id: a1\nevent: notification.created\ndata: {"id":"a1"}\n\n',
      'event: unread-count.changed\ndata: {"count":3}\n\n',
    ]);
    expect(sink.open).toBe(true);
    sink.end();
    expect(sink.open).toBe(false);
  });
});

describe('StreamConnection', () => {
  it('holds pushes that arrive during the catch-up and writes them after it, without replayed ones', () => {
    const res = response();
    const hub = new PushHub();
    const conn = new StreamConnection('bob', sseSink(res as never));
    hub.add(conn); // registered before the catch-up is read
    expect(hub.send('bob', created('n2'))).toBe(1); // stored meanwhile, also in the replay
    expect(hub.send('bob', count(2))).toBe(1);
    expect(hub.send('bob', created('n3'))).toBe(1); // stored after the replay was read
    expect(res.out).toEqual([]);
    expect(conn.live).toBe(false);

    expect(conn.goLive([created('n1'), created('n2'), count(1)])).toBe(2);
    expect(res.out).toEqual([created('n1'), created('n2'), count(1), count(2), created('n3')].map(frame));
    expect(conn.live).toBe(true);

    hub.send('bob', created('n4'));
    expect(res.out.at(-1)).toBe(frame(created('n4')));
  });

  it('reports a client that is gone, so the hub drops it', () => {
    const res = response();
    const hub = new PushHub();
    const conn = new StreamConnection('bob', sseSink(res as never));
    hub.add(conn);
    res.destroyed = true;
    expect(hub.send('bob', created('n1'))).toBe(0);
    expect(hub.isConnected('bob')).toBe(false);
    expect(conn.goLive([count(0)])).toBe(0);
    expect(res.out).toEqual([]);
  });

  it('close ends the stream and drops what was held', () => {
    const res = response();
    const conn = new StreamConnection('bob', sseSink(res as never));
    conn.send(created('n1'));
    conn.close();
    expect(res.writableEnded).toBe(true);
    expect(conn.send(created('n2'))).toBe(false);
    expect(res.out).toEqual([]);
  });
});
