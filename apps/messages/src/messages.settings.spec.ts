import { CONVERSATIONS_GROUP_ID, loadMessagesConfig, messagesSettings } from './messages.settings';

describe('messages app settings (namespace messages)', () => {
  const settings = (raw: Record<string, string> = {}) => loadMessagesConfig(raw).settings(messagesSettings);

  it('applies the defaults', () => {
    expect(settings()).toMatchObject({
      MESSAGES_PORT: 3000,
      KAFKA_CONVERSATIONS_GROUP: CONVERSATIONS_GROUP_ID,
      INGEST_BATCH_MAX: 256,
      PUBLISH_TIMEOUT_MS: 2000,
    });
  });

  it('reads CONVERSATIONS_FETCH_LINGER_MS (default 100 ms, 0 allowed, at most 1000)', () => {
    expect(settings().CONVERSATIONS_FETCH_LINGER_MS).toBe(100);
    expect(settings({ CONVERSATIONS_FETCH_LINGER_MS: '0' }).CONVERSATIONS_FETCH_LINGER_MS).toBe(0);
    expect(() => settings({ CONVERSATIONS_FETCH_LINGER_MS: '5000' })).toThrow(/CONVERSATIONS_FETCH_LINGER_MS/);
  });

  it.each([
    ['MESSAGES_PORT', { MESSAGES_PORT: 'abc' }],
    ['INGEST_BATCH_MAX', { INGEST_BATCH_MAX: '501' }],
    ['KAFKA_CONVERSATIONS_GROUP', { KAFKA_CONVERSATIONS_GROUP: 'bad group' }],
  ])('stops with an error naming %s', (name, raw) => {
    expect(() => settings(raw)).toThrow(new RegExp(`Invalid configuration: .*${name}`));
  });
});
