import { readFileSync } from 'node:fs';
import { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import { AppConfig } from '@herald/config';

/**
 * The `ssl` and `sasl` parts of the kafkajs client config, from the KAFKA_SSL* and KAFKA_SASL*
 * variables (already validated together at start-up, see `securityProblems` in libs/config):
 *
 * - `KAFKA_SSL=true`: TLS to every broker (Kafka listener `SSL` or `SASL_SSL`), with the CA of
 *   `KAFKA_SSL_CA_FILE` (else Node's trusted CAs), an optional client certificate/key for mutual
 *   TLS, and certificate checks unless `KAFKA_SSL_REJECT_UNAUTHORIZED=false` (refused in production);
 * - `KAFKA_SASL_MECHANISM`: `plain`, `scram-sha-256` or `scram-sha-512` with
 *   `KAFKA_SASL_USERNAME` / `KAFKA_SASL_PASSWORD` (Kafka "Authentication using SASL"; SCRAM per
 *   RFC 5802 / RFC 7677 never sends the password itself).
 *
 * Files are read once, when the config is built. Returns `{}` when neither is configured.
 */
export function kafkaSecurityOptions(config: AppConfig): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const env = config.env;
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (env.KAFKA_SSL) {
    const tls: ConnectionOptions = { rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED };
    if (env.KAFKA_SSL_CA_FILE) tls.ca = [readFileSync(env.KAFKA_SSL_CA_FILE, 'utf8')];
    if (env.KAFKA_SSL_CERT_FILE) tls.cert = readFileSync(env.KAFKA_SSL_CERT_FILE, 'utf8');
    if (env.KAFKA_SSL_KEY_FILE) tls.key = readFileSync(env.KAFKA_SSL_KEY_FILE, 'utf8');
    out.ssl = tls;
  }
  if (env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD) {
    out.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD,
    } as SASLOptions;
  }
  return out;
}
