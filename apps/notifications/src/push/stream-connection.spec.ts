import { PushHub, sseFrame, sseFrameId } from './push-hub';
import { StreamConnection, StreamSink } from './stream-connection';

function sink(): StreamSink & { out: string[]; destroyed: boolean } {
  const s = { out: [] as string[], destroyed: false, writableEnded: false, write: (c: string) => s.out.push(c), end: () => (s.writableEnded = true) };
  return s;
}

const created = (id: string) => sseFrame('notification.created', { id }, id);
const count = (n: number) => sseFrame('unread-count.changed', { count: n });

describe('sseFrameId', () => {
  it('reads the id line of a frame, none for frames without one', () => {
    expect(sseFrameId(created('a1'))).toBe('a1');
    expect(sseFrameId(count(3))).toBeUndefined();
    expect(sseFrameId(': heartbeat\n\n')).toBeUndefined();
  });
});

describe('StreamConnection', () => {
  it('holds pushes that arrive during the catch-up and writes them after it, without replayed ones', () => {
    const out = sink();
    const hub = new PushHub();
    const conn = new StreamConnection('bob', out);
    hub.add(conn); // registered before the catch-up is read
    expect(hub.send('bob', created('n2'))).toBe(1); // stored meanwhile, also in the replay
    expect(hub.send('bob', count(2))).toBe(1);
    expect(hub.send('bob', created('n3'))).toBe(1); // stored after the replay was read
    expect(out.out).toEqual([]);
    expect(conn.live).toBe(false);

    expect(conn.goLive([created('n1'), created('n2'), count(1)])).toBe(2);
    expect(out.out).toEqual([created('n1'), created('n2'), count(1), count(2), created('n3')]);
    expect(conn.live).toBe(true);

    hub.send('bob', created('n4'));
    expect(out.out.at(-1)).toBe(created('n4'));
  });

  it('reports a client that is gone, so the hub drops it', () => {
    const out = sink();
    const hub = new PushHub();
    const conn = new StreamConnection('bob', out);
    hub.add(conn);
    out.destroyed = true;
    expect(hub.send('bob', created('n1'))).toBe(0);
    expect(hub.isConnected('bob')).toBe(false);
    expect(conn.goLive([count(0)])).toBe(0);
    expect(out.out).toEqual([]);
  });

  it('close ends the stream and drops what was held', () => {
    const out = sink();
    const conn = new StreamConnection('bob', out);
    conn.send(created('n1'));
    conn.close();
    expect(out.writableEnded).toBe(true);
    expect(conn.send(created('n2'))).toBe(false);
    expect(out.out).toEqual([]);
  });
});
