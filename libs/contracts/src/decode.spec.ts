import { decodeEvent } from './decode';
import { Limits } from './limits';
import { MessageCreatedEvent, MessageCreatedEventV1, upcastMessageCreated } from './message-created.event';

const valid = () => ({
  eventId: '0b7c9c8e-8a1f-4c2e-9a55-1d1f6f2c3b4a',
  type: 'message.created',
  version: 1,
  occurredAt: '2026-11-24T06:00:00.000Z',
  data: {
    messageId: '6b0528fc3be48ad755678066',
    conversationId: 'dm_abc',
    senderId: 'alice',
    recipientIds: ['bob', 'carol'],
    body: 'hello',
    createdAt: '2026-11-24T06:00:00.000Z',
  },
});
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('decodeEvent(MessageCreatedEvent)', () => {
  it('accepts a valid v1 envelope and types its dates', () => {
    const r = decodeEvent(MessageCreatedEvent, bytes(valid()));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toBeInstanceOf(MessageCreatedEvent);
    expect(r.event.occurredAt).toBeInstanceOf(Date);
    expect(r.event.data.createdAt.toISOString()).toBe('2026-11-24T06:00:00.000Z');
    expect(r.event.data.recipientIds).toEqual(['bob', 'carol']);
  });

  it('strips unknown properties', () => {
    const r = decodeEvent(MessageCreatedEvent, bytes({ ...valid(), extra: 1 }));
    expect(r.ok && (r.event as unknown as Record<string, unknown>).extra).toBe(undefined);
  });

  it.each([
    ['empty', null],
    ['empty', Buffer.alloc(0)],
    ['not-json', Buffer.from('{not json')],
    ['not-json', Buffer.from([0xff, 0xfe, 0x00])],
    ['not-an-object', bytes([1, 2])],
    ['not-an-object', bytes('a string')],
    ['oversized', Buffer.alloc(Limits.maxEventBytes + 1, 0x20)],
  ])('rejects as %s', (reason, value) => {
    const r = decodeEvent(MessageCreatedEvent, value);
    expect(r).toMatchObject({ ok: false, reason });
  });

  it.each<[string, (e: ReturnType<typeof valid>) => unknown]>([
    ['version', (e) => ({ ...e, version: 0 })],
    ['version', (e) => ({ ...e, version: '1' })],
    ['version', (e) => ({ ...e, version: 1.5 })],
    ['data.mentions', (e) => ({ ...e, version: 2 })],
    ['data.mentions', (e) => ({ ...e, version: 2, data: { ...e.data, mentions: 'bob' } })],
    ['data.mentions', (e) => ({ ...e, version: 2, data: { ...e.data, mentions: [''] } })],
    ['type', (e) => ({ ...e, type: 'message.deleted' })],
    ['eventId', (e) => ({ ...e, eventId: 'nope' })],
    ['occurredAt', (e) => ({ ...e, occurredAt: 'yesterday' })],
    ['data.messageId', (e) => ({ ...e, data: { ...e.data, messageId: 'x' } })],
    ['data.recipientIds', (e) => ({ ...e, data: { ...e.data, recipientIds: [] } })],
    ['data.body', (e) => ({ ...e, data: { ...e.data, body: 'x'.repeat(Limits.bodyMaxLength + 1) } })],
    ['data.senderId', (e) => ({ ...e, data: { ...e.data, senderId: 5 } })],
    ['data', (e) => ({ ...e, data: undefined })],
  ])('rejects an invalid %s with a reason naming it', (field, mutate) => {
    const r = decodeEvent(MessageCreatedEvent, bytes(mutate(valid())));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('invalid-schema');
    expect(r.message).toContain(field);
  });
});

describe('message.created versions', () => {
  const v2 = () => ({ ...valid(), version: 2, data: { ...valid().data, mentions: ['carol'] } });

  it('upcasts a v1 record to v2 with no mentions (the one upcast, in libs/contracts)', () => {
    const r = decodeEvent(MessageCreatedEvent, bytes(valid()));
    expect(r.ok && r.event.data.mentions).toEqual([]);
    expect(r.ok && r.event.version).toBe(1);
  });

  it('reads a v2 record with its mentions', () => {
    const r = decodeEvent(MessageCreatedEvent, bytes(v2()));
    expect(r.ok && r.event.data.mentions).toEqual(['carol']);
  });

  it('upcast leaves v2 and malformed input alone', () => {
    const e = v2();
    expect(upcastMessageCreated(e)).toBe(e);
    const broken = { ...valid(), data: 'x' };
    expect(upcastMessageCreated(broken)).toBe(broken);
  });

  it('the v1 contract reads a v2 record: same fields, the unknown mentions stripped, not rejected', () => {
    const r = decodeEvent(MessageCreatedEventV1, bytes(v2()));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event.data.recipientIds).toEqual(['bob', 'carol']);
    expect((r.event.data as unknown as Record<string, unknown>).mentions).toBeUndefined();
  });
});
