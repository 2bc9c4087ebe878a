import { randomBytes } from 'node:crypto';

/**
 * Where the test servers are: `KAFKA_BROKERS` and `MONGODB_URI` as set by `stack/cli.js test`
 * (the local stack) or by the caller (compose, managed services).
 * @throws Error when they are not set: run tests through `npm test`
 */
export function testServers(): { KAFKA_BROKERS: string; MONGODB_URI: string } {
  const { KAFKA_BROKERS, MONGODB_URI } = process.env;
  if (!KAFKA_BROKERS || !MONGODB_URI) {
    throw new Error(
      'KAFKA_BROKERS and MONGODB_URI are not set: run the tests with `npm test` (it provides the servers)',
    );
  }
  return { KAFKA_BROKERS, MONGODB_URI };
}

/** A user id unique to this test run, so tests sharing servers never see each other's data. */
export function uniqueUser(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

/**
 * The env both apps get in tests: the servers, a test secret, JSON logs, ports chosen by the OS, no
 * rate limit, no digest.
 */
export function appEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...testServers(),
    NODE_ENV: 'test',
    JWT_SECRET: 'test-secret-at-least-16-chars',
    LOG_LEVEL: 'warn',
    // JSON whatever the terminal: tests read the log lines (e.g. log-redaction).
    LOG_FORMAT: 'json',
    OUTBOX_RELAY_INTERVAL_MS: '500',
    OUTBOX_RELAY_MIN_AGE_MS: '1000',
    // Load-style suites send far more than a user's per-minute budget; security tests turn it on.
    RATE_LIMIT_ENABLED: 'false',
    // One notification per message, as the suites written before digests count them (exactly once
    // per recipient and message); test/e2e/policy.e2e-spec.ts turns the digest on (the default).
    DIGEST_WINDOW_MS: '0',
    ...extra,
  };
}
