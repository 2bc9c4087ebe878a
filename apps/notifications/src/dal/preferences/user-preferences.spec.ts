import { UserPreferences } from './user-preferences';

const at = (iso: string) => new Date(iso);

describe('UserPreferences', () => {
  it('notifies by default as message.created', () => {
    expect(UserPreferences.none.deliver('c1', at('2026-12-01T10:00:00Z'), false)).toEqual({
      notify: true,
      type: 'message.created',
    });
  });

  it('a mute without until silences the conversation, only that one', () => {
    const p = new UserPreferences([{ conversationId: 'c1', until: null }]);
    expect(p.deliver('c1', at('2030-01-01T00:00:00Z'), false)).toEqual({ notify: false });
    expect(p.deliver('c2', at('2030-01-01T00:00:00Z'), false).notify).toBe(true);
  });

  it('a mute with until ends at until (exclusive), judged at the message time', () => {
    const p = new UserPreferences([{ conversationId: 'c1', until: at('2026-12-01T10:00:00Z') }]);
    expect(p.deliver('c1', at('2026-12-01T09:59:59.999Z'), false).notify).toBe(false);
    expect(p.deliver('c1', at('2026-12-01T10:00:00Z'), false).notify).toBe(true);
  });

  it('a mention breaks through a mute and a disabled message.created, unless message.mentioned is off', () => {
    const p = new UserPreferences([{ conversationId: 'c1', until: null }], ['message.created']);
    expect(p.deliver('c1', at('2026-12-01T10:00:00Z'), true)).toEqual({ notify: true, type: 'message.mentioned' });
    const off = new UserPreferences([{ conversationId: 'c1', until: null }], ['message.mentioned']);
    expect(off.deliver('c1', at('2026-12-01T10:00:00Z'), true)).toEqual({ notify: false });
    expect(off.deliver('c2', at('2026-12-01T10:00:00Z'), true)).toEqual({ notify: true, type: 'message.created' });
  });

  it('a disabled message.created silences plain messages everywhere', () => {
    expect(new UserPreferences([], ['message.created']).deliver('c9', at('2026-12-01T10:00:00Z'), false).notify).toBe(
      false,
    );
  });

  it('views the live mutes and every type', () => {
    const p = new UserPreferences(
      [
        { conversationId: 'c1', until: null },
        { conversationId: 'c2', until: at('2026-01-01T00:00:00Z') },
      ],
      ['message.mentioned'],
    );
    expect(p.view(at('2026-12-01T00:00:00Z'))).toEqual({
      conversations: [{ conversationId: 'c1', muted: true, until: null }],
      types: [
        { type: 'message.created', enabled: true },
        { type: 'message.mentioned', enabled: false },
      ],
    });
  });
});
