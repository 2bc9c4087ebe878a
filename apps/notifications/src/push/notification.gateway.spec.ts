import { handshakeToken, socketSink } from './notification.gateway';
import { toInboxChangedEvent } from './inbox-change.publisher';
import { decodeEvent, InboxChangedEvent } from '@herald/contracts';

const handshake = (auth: unknown, headers: Record<string, string> = {}, query: Record<string, string> = {}) =>
  ({ auth, headers, query }) as never;

describe('handshakeToken', () => {
  it('takes auth.token first, then the Authorization header, then the access_token query', () => {
    expect(
      handshakeToken(handshake({ token: 'a.b.c' }, { authorization: 'Bearer d.e.f' }, { access_token: 'g.h.i' })),
    ).toBe('a.b.c');
    expect(handshakeToken(handshake({}, { authorization: 'Bearer d.e.f' }, { access_token: 'g.h.i' }))).toBe('d.e.f');
    expect(handshakeToken(handshake({}, {}, { access_token: 'g.h.i' }))).toBe('g.h.i');
  });

  it('has none for an empty or non-string token, or another scheme', () => {
    expect(handshakeToken(handshake({ token: '' }))).toBeUndefined();
    expect(handshakeToken(handshake({ token: 42 }, { authorization: 'Basic abc' }))).toBeUndefined();
    expect(handshakeToken(handshake(undefined))).toBeUndefined();
  });
});

describe('socketSink', () => {
  it('emits the event name with the SSE payload, is open while connected and disconnects on end', () => {
    const emitted: unknown[][] = [];
    const socket = { connected: true, emit: (...args: unknown[]) => emitted.push(args) > 0, disconnect: jest.fn() };
    const sink = socketSink(socket as never);
    sink.write({ event: 'unread-count.changed', data: { count: 2, capped: false } });
    expect(emitted).toEqual([['unread-count.changed', { count: 2, capped: false }]]);
    expect(sink.open).toBe(true);
    socket.connected = false;
    expect(sink.open).toBe(false);
    sink.end();
    expect(socket.disconnect).toHaveBeenCalledWith(true);
  });
});

describe('toInboxChangedEvent', () => {
  it('makes a valid inbox.changed v1 event', () => {
    const decoded = decodeEvent(InboxChangedEvent, JSON.stringify(toInboxChangedEvent('bob')));
    expect(decoded.ok && decoded.event.data.userId).toBe('bob');
  });
});
