import { accessSync, constants } from 'node:fs';
import { DEV_JWT_SECRET } from './app-config';
import type { Environment } from './environment';
import { commaList } from './parsers';
import { ORIGIN_PATTERN } from './security-environment';

/**
 * Rules spanning several security variables, checked after each variable's own rule. Each problem
 * names the variable to change. Sources: Kafka "Authentication using SASL" (a mechanism needs
 * credentials; PLAIN sends the password in clear, so only over TLS in production), MongoDB
 * "TLS/SSL Configuration for Clients" (CA and client certificate files imply TLS), OWASP
 * "Transport Layer Security Cheat Sheet" (never disable certificate validation in production),
 * RFC 8725 §3.2 (JWT keys fetched over TLS), OWASP "Secrets Management" (no default secret in
 * production).
 *
 * @param fileExists checks a configured file can be read (tests replace it)
 * @returns problems as `VARIABLE: message`, empty when the combination is valid
 */
export function securityProblems(env: Environment, fileExists: (path: string) => boolean = readable): string[] {
  const problems: string[] = [];
  const prod = env.NODE_ENV === 'production';

  if (prod && env.JWT_SECRET === undefined && env.JWT_JWKS_URI === undefined) {
    problems.push('JWT_SECRET: required in production (or JWT_JWKS_URI for RS256/ES256 tokens)');
  }
  if (prod && env.JWT_SECRET === DEV_JWT_SECRET)
    problems.push('JWT_SECRET: the development default cannot be used in production');
  if (prod && env.JWT_JWKS_URI?.startsWith('http://')) problems.push('JWT_JWKS_URI: must be https:// in production');

  for (const origin of commaList(env.CORS_ORIGINS)) {
    if (!ORIGIN_PATTERN.test(origin))
      problems.push(`CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com (no path, no wildcard)`);
  }

  const sasl = env.KAFKA_SASL_MECHANISM;
  if (sasl) {
    if (!env.KAFKA_SASL_USERNAME)
      problems.push(`KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=${sasl} (or KAFKA_SASL_USERNAME_FILE)`);
    if (!env.KAFKA_SASL_PASSWORD)
      problems.push(`KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM=${sasl} (or KAFKA_SASL_PASSWORD_FILE)`);
    if (sasl === 'plain' && prod && !env.KAFKA_SSL)
      problems.push(
        'KAFKA_SSL: must be true with KAFKA_SASL_MECHANISM=plain in production (PLAIN sends the password in clear)',
      );
  } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    problems.push(
      'KAFKA_SASL_MECHANISM: required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set (plain, scram-sha-256, scram-sha-512)',
    );
  }

  for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
    if (env[name] && !env.KAFKA_SSL) problems.push(`KAFKA_SSL: must be true when ${name} is set`);
  }
  if (!!env.KAFKA_SSL_CERT_FILE !== !!env.KAFKA_SSL_KEY_FILE) {
    problems.push(
      `${env.KAFKA_SSL_CERT_FILE ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE'}: client certificate and key go together`,
    );
  }
  if (prod && env.KAFKA_SSL && !env.KAFKA_SSL_REJECT_UNAUTHORIZED)
    problems.push('KAFKA_SSL_REJECT_UNAUTHORIZED: cannot be false in production');

  for (const name of ['MONGODB_TLS_CA_FILE', 'MONGODB_TLS_CERT_KEY_FILE'] as const) {
    if (env[name] && !env.MONGODB_TLS) problems.push(`MONGODB_TLS: must be true when ${name} is set`);
  }
  if (prod && env.MONGODB_TLS_ALLOW_INVALID_CERTIFICATES)
    problems.push('MONGODB_TLS_ALLOW_INVALID_CERTIFICATES: cannot be true in production');

  for (const name of [
    'KAFKA_SSL_CA_FILE',
    'KAFKA_SSL_CERT_FILE',
    'KAFKA_SSL_KEY_FILE',
    'MONGODB_TLS_CA_FILE',
    'MONGODB_TLS_CERT_KEY_FILE',
  ] as const) {
    const file = env[name];
    if (file && !fileExists(file)) problems.push(`${name}: cannot read ${file}`);
  }
  return problems;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
