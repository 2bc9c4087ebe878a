import { MessageCreatedEvent } from '@herald/contracts';
import { compareMessages, mergeSummary, previewOf, sameSummary, summarizeEvents } from './conversation-summary';

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s));
let n = 0;
/** A `message.created` event of conversation `c` at second `s`; ids increase with `n`. */
function event(c: string, s: number, senderId: string, recipientIds: string[], body = `m${s}`): MessageCreatedEvent {
  n++;
  const messageId = n.toString(16).padStart(24, '0');
  return {
    eventId: `e-${n}`,
    type: 'message.created',
    version: 1,
    occurredAt: at(s),
    data: { messageId, conversationId: c, senderId, recipientIds, body, createdAt: at(s) },
  } as MessageCreatedEvent;
}

describe('conversation summary merge', () => {
  const batch = [
    event('c1', 1, 'alice', ['bob']),
    event('c2', 2, 'carol', ['dave']),
    event('c1', 5, 'bob', ['alice', 'erin']),
    event('c1', 3, 'alice', ['bob']),
  ];

  it('groups a batch by conversation: participants union, earliest createdAt, newest message', () => {
    const deltas = summarizeEvents(batch);
    expect([...deltas.keys()]).toEqual(['c1', 'c2']);
    expect(deltas.get('c1')).toEqual({
      conversationId: 'c1',
      participants: ['alice', 'bob', 'erin'],
      firstAt: at(1),
      last: { id: batch[2].data.messageId, senderId: 'bob', preview: 'm5', createdAt: at(5) },
    });
  });

  it('does not depend on event order or duplicates (redelivery, replay)', () => {
    const once = summarizeEvents(batch).get('c1');
    expect(summarizeEvents([...batch].reverse()).get('c1')).toEqual(once);
    expect(summarizeEvents([...batch, ...batch, batch[0]]).get('c1')).toEqual(once);
  });

  it('merges into the stored summary idempotently, never moving it backwards', () => {
    const delta = summarizeEvents(batch).get('c1')!;
    const created = mergeSummary(null, delta);
    expect(created).toEqual({
      _id: 'c1',
      participants: ['alice', 'bob', 'erin'],
      createdAt: at(1),
      lastMessageAt: at(5),
      lastMessage: delta.last,
    });
    expect(sameSummary(mergeSummary(created, delta), created)).toBe(true);
    const older = summarizeEvents([event('c1', 0, 'zoe', ['alice'])]).get('c1')!;
    const merged = mergeSummary(created, older);
    expect(merged).toMatchObject({
      createdAt: at(0),
      lastMessageAt: at(5),
      lastMessage: delta.last,
      participants: ['alice', 'bob', 'erin', 'zoe'],
    });
    expect(sameSummary(merged, created)).toBe(false);
  });

  it('breaks a same-millisecond tie by message id, whatever the order', () => {
    const a = event('c3', 9, 'alice', ['bob'], 'first');
    const b = event('c3', 9, 'bob', ['alice'], 'second');
    expect(
      compareMessages({ createdAt: at(9), id: a.data.messageId }, { createdAt: at(9), id: b.data.messageId }),
    ).toBeLessThan(0);
    expect(summarizeEvents([a, b]).get('c3')!.last.id).toBe(b.data.messageId);
    expect(summarizeEvents([b, a]).get('c3')!.last.id).toBe(b.data.messageId);
  });

  it('keeps a legacy summary without lastMessage and compares participants as sets', () => {
    const legacy = {
      _id: 'c1',
      participants: ['bob', 'alice'],
      createdAt: at(1),
      lastMessageAt: at(1),
      lastMessage: null,
    };
    const delta = summarizeEvents([batch[0]]).get('c1')!;
    expect(mergeSummary(legacy, delta).lastMessage?.id).toBe(batch[0].data.messageId);
    expect(sameSummary(legacy, { ...legacy, participants: ['alice', 'bob'] })).toBe(true);
  });

  it('previews the first 140 code points', () => {
    expect(previewOf('😀'.repeat(200))).toBe('😀'.repeat(140));
  });
});
