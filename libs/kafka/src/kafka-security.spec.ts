import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, validateEnvironment } from '@herald/config';
import { kafkaClientConfig } from './kafka-client.config';
import { kafkaSecurityOptions } from './kafka-security';

describe('kafka client security options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-kafka-spec-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, 'CA-PEM');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = (raw: Record<string, string>) => new AppConfig(validateEnvironment(raw));

  it('adds nothing by default (PLAINTEXT listener)', () => {
    expect(kafkaSecurityOptions(config({}))).toEqual({});
    expect(kafkaClientConfig(config({}))).not.toHaveProperty('sasl');
  });

  it('maps KAFKA_SASL_* and KAFKA_SSL_* onto kafkajs sasl / ssl', () => {
    const c = config({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: 'herald',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    const client = kafkaClientConfig(c, 'x');
    expect(client.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'herald', password: 'pw' });
    expect(client.ssl).toEqual({ rejectUnauthorized: true, ca: ['CA-PEM'] });
  });
});
