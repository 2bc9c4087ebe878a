import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, DEV_JWT_SECRET } from './app-config';
import { validateEnvironment } from './validate-environment';
import { resolveSecretFiles } from './secret-files';

const PROD = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(32) };
const dir = mkdtempSync(join(tmpdir(), 'herald-config-spec-'));
const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const PEM = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('security configuration', () => {
  it('has safe defaults: rate limits on, no CORS origin, no proxy trusted, no SASL/TLS', () => {
    const c = new AppConfig(validateEnvironment({}));
    expect([c.env.RATE_LIMIT_ENABLED, c.env.RATE_LIMIT_PER_MINUTE, c.env.RATE_LIMIT_IP_PER_MINUTE]).toEqual([
      true,
      600,
      1200,
    ]);
    expect(c.corsOrigins).toEqual([]);
    expect(c.trustProxy).toBe(false);
    expect([c.env.KAFKA_SSL, c.env.KAFKA_SASL_MECHANISM, c.env.MONGODB_TLS]).toEqual([false, undefined, false]);
    expect(c.jwtSecret).toBe(DEV_JWT_SECRET);
  });

  it('parses lists, proxies and limits', () => {
    const c = new AppConfig(
      validateEnvironment({
        CORS_ORIGINS: 'https://a.example, http://localhost:5173',
        HTTP_TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
        RATE_LIMIT_ENABLED: 'false',
        JWT_AUDIENCE: 'a,b',
      }),
    );
    expect(c.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(c.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(c.env.RATE_LIMIT_ENABLED).toBe(false);
    expect(c.jwtAudiences).toEqual(['a', 'b']);
    expect(new AppConfig(validateEnvironment({ HTTP_TRUST_PROXY: '2' })).trustProxy).toBe(2);
    expect(new AppConfig(validateEnvironment({ HTTP_TRUST_PROXY: 'true' })).trustProxy).toBe(true);
  });

  it('accepts production with a JWKS and no secret: HS256 and dev tokens are then off', () => {
    const c = new AppConfig(
      validateEnvironment({ NODE_ENV: 'production', JWT_JWKS_URI: 'https://idp.example/.well-known/jwks.json' }),
    );
    expect(c.jwtSecret).toBeUndefined();
    expect(c.devTokensEnabled).toBe(false);
  });

  it('accepts complete SASL and TLS settings', () => {
    const env = validateEnvironment({
      ...PROD,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: PEM,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      MONGODB_TLS: 'true',
      MONGODB_TLS_CA_FILE: PEM,
    });
    expect(env.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
  });

  it.each([
    ['KAFKA_SASL_USERNAME', { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'p' }],
    ['KAFKA_SASL_PASSWORD', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }],
    ['KAFKA_SSL', { ...PROD, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }],
    ['KAFKA_SSL', { KAFKA_SSL_CA_FILE: PEM }],
    ['KAFKA_SSL_CA_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') }],
    ['KAFKA_SSL_KEY_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: PEM }],
    ['KAFKA_SSL_REJECT_UNAUTHORIZED', { ...PROD, KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }],
    ['KAFKA_SSL', { KAFKA_SSL: 'sometimes' }],
    ['MONGODB_TLS', { MONGODB_TLS_CA_FILE: PEM }],
    ['MONGODB_TLS_CERT_KEY_FILE', { MONGODB_TLS: 'true', MONGODB_TLS_CERT_KEY_FILE: join(dir, 'missing.pem') }],
    [
      'MONGODB_TLS_ALLOW_INVALID_CERTIFICATES',
      { ...PROD, MONGODB_TLS: 'true', MONGODB_TLS_ALLOW_INVALID_CERTIFICATES: 'true' },
    ],
    ['JWT_SECRET', { NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET }],
    ['JWT_JWKS_URI', { ...PROD, JWT_JWKS_URI: 'http://idp.example/jwks.json' }],
    ['JWT_JWKS_URI', { JWT_JWKS_URI: 'ftp://idp.example/jwks.json' }],
    ['JWT_JWKS_ALGORITHMS', { JWT_JWKS_ALGORITHMS: 'RS256,none' }],
    ['JWT_JWKS_ALGORITHMS', { JWT_JWKS_ALGORITHMS: 'HS256' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: '*' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://a.example/path' }],
    ['HTTP_TRUST_PROXY', { HTTP_TRUST_PROXY: 'everyone' }],
    ['RATE_LIMIT_PER_MINUTE', { RATE_LIMIT_PER_MINUTE: '0' }],
    ['RATE_LIMIT_IP_PER_MINUTE', { RATE_LIMIT_IP_PER_MINUTE: 'lots' }],
    ['RATE_LIMIT_ENABLED', { RATE_LIMIT_ENABLED: 'maybe' }],
  ])('stops with an error naming %s', (name, raw) => {
    expect(() => validateEnvironment(raw)).toThrow(new RegExp(`Invalid configuration: .*${name}`));
  });
});

describe('secrets from *_FILE variables (Docker / Kubernetes secrets)', () => {
  it('reads JWT_SECRET_FILE, KAFKA_SASL_PASSWORD_FILE and MONGODB_URI_FILE, minus one trailing newline', () => {
    const env = validateEnvironment({
      ...PROD,
      JWT_SECRET: undefined,
      JWT_SECRET_FILE: file('jwt', 'from-a-file-secret-32-characters\n'),
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'herald',
      KAFKA_SASL_PASSWORD_FILE: file('kafka', 'pa ss\n'),
      MONGODB_URI_FILE: file('mongo', 'mongodb://herald:s3cret@db:27017/herald?authSource=admin\n'),
    });
    expect(env.JWT_SECRET).toBe('from-a-file-secret-32-characters');
    expect(env.KAFKA_SASL_PASSWORD).toBe('pa ss');
    expect(env.MONGODB_URI).toBe('mongodb://herald:s3cret@db:27017/herald?authSource=admin');
    expect(Object.keys(env)).not.toContain('JWT_SECRET_FILE');
  });

  it.each([
    ['JWT_SECRET_FILE', { JWT_SECRET: 'x'.repeat(20), JWT_SECRET_FILE: file('both', 'y'.repeat(20)) }, /not both/],
    ['JWT_SECRET_FILE', { JWT_SECRET_FILE: join(dir, 'nope') }, /cannot read/],
    ['MONGODB_URI_FILE', { MONGODB_URI_FILE: file('empty', '\n') }, /empty/],
    ['MONGODB_URI', { MONGODB_URI_FILE: file('bad-uri', 'postgres://x') }, /mongodb/],
    [
      'KAFKA_SASL_PASSWORD_FILE',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: join(dir, 'nope') },
      /cannot read/,
    ],
  ])('stops with an error naming %s', (name, raw, why) => {
    expect(() => validateEnvironment(raw)).toThrow(new RegExp(`Invalid configuration: .*${name}`));
    expect(() => validateEnvironment(raw)).toThrow(why);
  });

  it('never puts the secret itself into an error message', () => {
    const secret = 'do-not-print-me-0123456789';
    expect(() => validateEnvironment({ JWT_SECRET: secret, JWT_SECRET_FILE: file('s', secret) })).toThrow(
      /^(?!.*do-not-print-me).*$/s,
    );
    expect(resolveSecretFiles({ X: '1' }).env).toEqual({ X: '1' });
  });
});
