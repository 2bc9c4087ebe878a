import { AppConfig } from './app-config';
import { validateEnvironment } from './validate-environment';

describe('validateEnvironment', () => {
  it('applies defaults', () => {
    const env = validateEnvironment({});
    expect(env.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(env.HTTP_HOST).toBe('0.0.0.0');
    expect(env.KAFKA_TOPIC_PARTITIONS).toBe(3);
  });

  it('converts numbers and booleans from strings', () => {
    const env = validateEnvironment({
      KAFKA_TOPIC_PARTITIONS: '6',
      KAFKA_CREATE_TOPICS: 'false',
      AUTH_DEV_TOKENS: 'true',
    });
    expect(env.KAFKA_TOPIC_PARTITIONS).toBe(6);
    expect(env.KAFKA_CREATE_TOPICS).toBe(false);
    expect(env.AUTH_DEV_TOKENS).toBe(true);
  });

  it.each([
    ['KAFKA_BROKERS', { KAFKA_BROKERS: 'localhost' }],
    ['MONGODB_URI', { MONGODB_URI: 'postgres://x' }],
    ['KAFKA_TOPIC_PARTITIONS', { KAFKA_TOPIC_PARTITIONS: 'abc' }],
    ['MONGODB_MAX_POOL_SIZE', { MONGODB_MAX_POOL_SIZE: '70000' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['JWT_SECRET', { NODE_ENV: 'production' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['AUTH_DEV_TOKENS', { AUTH_DEV_TOKENS: 'maybe' }],
  ])('stops with an error naming %s', (name, raw) => {
    expect(() => validateEnvironment(raw)).toThrow(new RegExp(`Invalid configuration: .*${name}`));
  });

  it('turns dev tokens off in production whatever AUTH_DEV_TOKENS says', () => {
    const prod = new AppConfig(
      validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), AUTH_DEV_TOKENS: 'true' }),
    );
    expect(prod.devTokensEnabled).toBe(false);
    expect(new AppConfig(validateEnvironment({})).devTokensEnabled).toBe(true);
    expect(new AppConfig(validateEnvironment({ AUTH_DEV_TOKENS: 'false' })).devTokensEnabled).toBe(false);
  });
});
