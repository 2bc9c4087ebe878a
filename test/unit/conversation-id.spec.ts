import { deriveConversationId } from '../../apps/messages/src/messages/conversation-id';

describe('deriveConversationId', () => {
  it('is the same whoever sends and in whatever order recipients are listed', () => {
    const id = deriveConversationId('alice', ['bob', 'carol']);
    expect(deriveConversationId('carol', ['bob', 'alice'])).toBe(id);
    expect(deriveConversationId('bob', ['alice', 'carol', 'alice'])).toBe(id);
    expect(id).toMatch(/^dm_[a-f0-9]{32}$/);
  });

  it('differs for different participant sets', () => {
    const ids = new Set([
      deriveConversationId('alice', ['bob']),
      deriveConversationId('alice', ['carol']),
      deriveConversationId('alice', ['bob', 'carol']),
      deriveConversationId('bob', ['carol']),
      deriveConversationId('a', ['b,c']),
      deriveConversationId('a,b', ['c']),
    ]);
    expect(ids.size).toBe(6);
  });

  it('counts the sender once when they are also a recipient', () => {
    expect(deriveConversationId('alice', ['alice', 'bob'])).toBe(deriveConversationId('alice', ['bob']));
  });
});
