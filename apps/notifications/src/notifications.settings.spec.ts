import { NOTIFICATIONS_GROUP_ID, loadNotificationsConfig, notificationsSettings } from './notifications.settings';

describe('notifications app settings (namespace notifications)', () => {
  const settings = (raw: Record<string, string> = {}) => loadNotificationsConfig(raw).settings(notificationsSettings);

  it('applies the defaults', () => {
    expect(settings()).toMatchObject({
      NOTIFICATIONS_PORT: 3001,
      KAFKA_CONSUMER_GROUP: NOTIFICATIONS_GROUP_ID,
      DIGEST_WINDOW_MS: 60_000,
      INBOX_COUNT_MAX: 100,
    });
  });

  it.each([
    ['NOTIFICATIONS_PORT', { NOTIFICATIONS_PORT: '70000' }],
    ['DIGEST_WINDOW_MS', { DIGEST_WINDOW_MS: '-1' }],
    ['INBOX_MESSAGES_URL', { INBOX_MESSAGES_URL: 'http://localhost:3000/path' }],
    ['KAFKA_CONSUMER_GROUP', { KAFKA_CONSUMER_GROUP: 'bad group' }],
  ])('stops with an error naming %s', (name, raw) => {
    expect(() => settings(raw)).toThrow(new RegExp(`Invalid configuration: .*${name}`));
  });
});
