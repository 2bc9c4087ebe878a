import { AppConfig, validateEnvironment } from '@herald/config';
import { FETCH_LINGER_MIN_BYTES, kafkaTransportOptions } from './kafka-server.options';

describe('kafka transport options: fetch linger', () => {
  const config = (raw: Record<string, string> = {}) => new AppConfig(validateEnvironment(raw));

  it('leaves kafkajs fetch defaults alone without a linger (fetch returns with the first record)', () => {
    const { consumer } = kafkaTransportOptions(config(), { groupId: 'notifications', role: 'notifications' });
    expect(consumer).not.toHaveProperty('minBytes');
    expect(consumer).not.toHaveProperty('maxWaitTimeInMs');
  });

  it('maps a linger onto maxWaitTimeInMs with a large minBytes', () => {
    const { consumer } = kafkaTransportOptions(config(), {
      groupId: 'conversations',
      role: 'conversations',
      fetchLingerMs: 100,
    });
    expect(consumer).toMatchObject({
      groupId: 'conversations',
      minBytes: FETCH_LINGER_MIN_BYTES,
      maxWaitTimeInMs: 100,
    });
  });
});
