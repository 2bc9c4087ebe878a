import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { Kafka, logLevel } from 'kafkajs';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@herald/config';
import { ensureTopics, kafkaClientConfig } from '@herald/kafka';
import { createMessagesApp } from '../../apps/messages/src/bootstrap';
import { appEnv, uniqueUser } from '../support/env';
import { freePort } from '../support/processes';
import { bearer, hs256 } from '../support/security';
import { waitFor } from '../support/wait';

interface Child {
  port: number;
  logs(): string;
  stop(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const secure = require('../../stack/lib/secure-servers') as {
  startSaslKafka(o: {
    port: number;
    controllerPort: number;
    dir: string;
    users: Record<string, string>;
  }): Promise<Child & { brokers: string }>;
  startFerretAuth(o: {
    port: number;
    dir: string;
    user: string;
    password: string;
    database: string;
  }): Promise<Child & { uri(u: string, p: string): string }>;
};

const KAFKA_PASSWORD = 'kafka-pass-' + Math.random().toString(36).slice(2);
const MONGO_PASSWORD = 'mongo pass/with:odd@chars';

/**
 * Transport authentication against real servers that demand it: a second Kafka broker (SASL/SCRAM-
 * SHA-256 only, its own ports and data) and a FerretDB with SCRAM users. The app's own client
 * settings (libs/kafka `kafkaClientConfig`, MONGODB_URI credentials) connect with the right secrets,
 * read from `*_FILE` files as Docker secrets are, and fail with wrong ones.
 */
describe('Kafka SASL/SCRAM and MongoDB authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-transport-auth-'));
  let kafka: Child & { brokers: string };
  let mongo: Child & { uri(u: string, p: string): string };
  let app: NestFastifyApplication | undefined;

  const kafkaEnv = (password: string): Record<string, string> => ({
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: 'herald',
    KAFKA_SASL_PASSWORD: password,
  });
  const adminOf = (env: Record<string, string>) => {
    const config = loadConfig({ ...env, MONGODB_URI: 'mongodb://127.0.0.1:1/unused' });
    return new Kafka({
      ...kafkaClientConfig(config, 'herald-test-admin'),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
  };

  beforeAll(async () => {
    const [kp, kc, mp] = [await freePort(), await freePort(), await freePort()];
    const [k, m] = await Promise.allSettled([
      secure.startSaslKafka({
        port: kp,
        controllerPort: kc,
        dir: join(dir, 'kafka'),
        users: { herald: KAFKA_PASSWORD },
      }),
      secure.startFerretAuth({
        port: mp,
        dir: join(dir, 'ferretdb'),
        user: 'herald',
        password: MONGO_PASSWORD,
        database: 'herald',
      }),
    ]);
    if (k.status === 'fulfilled') kafka = k.value;
    if (m.status === 'fulfilled') mongo = m.value;
    if (k.status === 'rejected') throw k.reason;
    if (m.status === 'rejected') throw m.reason;
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([kafka?.stop(), mongo?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('Kafka: the app client authenticates with the right SCRAM password (and creates the topics)', async () => {
    const admin = adminOf(kafkaEnv(KAFKA_PASSWORD));
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
    const config = loadConfig({ ...appEnv(), ...kafkaEnv(KAFKA_PASSWORD), KAFKA_TOPIC_PARTITIONS: '1' });
    await ensureTopics(config);
  }, 60_000);

  it('Kafka: a wrong password or no SASL at all is refused', async () => {
    const wrong = adminOf(kafkaEnv('not-the-password'));
    await expect(wrong.connect()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed/);
    const anonymous = adminOf({ KAFKA_BROKERS: kafka.brokers });
    // The SASL listener answers ApiVersions before authentication; any real request is refused.
    await expect(anonymous.connect().then(() => anonymous.describeCluster())).rejects.toThrow();
    await Promise.all([wrong.disconnect(), anonymous.disconnect()]);
  }, 60_000);

  it('MongoDB: credentials in the URI authenticate; wrong or missing ones are refused', async () => {
    const right = await mongoose
      .createConnection(mongo.uri('herald', MONGO_PASSWORD), { serverSelectionTimeoutMS: 5000 })
      .asPromise();
    await right.db!.collection('probe').insertOne({ ok: 1 });
    await right.close();
    const wrong = mongoose.createConnection(mongo.uri('herald', 'wrong'), { serverSelectionTimeoutMS: 5000 });
    await expect(wrong.asPromise()).rejects.toThrow(/Authentication failed/);
    await wrong.close();
    const anonymous = await mongoose
      .createConnection(`mongodb://127.0.0.1:${mongo.port}/herald`, { serverSelectionTimeoutMS: 5000 })
      .asPromise();
    await expect(anonymous.db!.collection('probe').findOne({})).rejects.toThrow(/requires authentication/);
    await anonymous.close();
  }, 60_000);

  it('the messages app runs on both, with its secrets read from *_FILE files', async () => {
    const kafkaSecret = join(dir, 'kafka_password');
    const mongoSecret = join(dir, 'mongodb_uri');
    writeFileSync(kafkaSecret, `${KAFKA_PASSWORD}\n`, { mode: 0o600 });
    writeFileSync(mongoSecret, `${mongo.uri('herald', MONGO_PASSWORD)}\n`, { mode: 0o600 });
    const env = appEnv({ ...kafkaEnv(KAFKA_PASSWORD), KAFKA_TOPIC_PARTITIONS: '1' });
    delete env.KAFKA_SASL_PASSWORD;
    delete env.MONGODB_URI;
    app = await createMessagesApp({
      ...env,
      KAFKA_SASL_PASSWORD_FILE: kafkaSecret,
      MONGODB_URI_FILE: mongoSecret,
      MONGODB_URI: '',
      KAFKA_SASL_PASSWORD: '',
    });
    await app.init();
    const alice = uniqueUser('alice');
    const sent = await app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: bearer(await hs256(alice)),
      payload: { recipientIds: ['bob'], body: 'over SCRAM' },
    });
    expect(sent.statusCode).toBe(201);
    // Stored through the authenticated MongoDB connection, published through the SASL producer.
    await waitFor(
      async () =>
        (
          await app!.inject({
            method: 'GET',
            url: `/api/v1/messages/${sent.json().id}`,
            headers: bearer(await hs256(alice)),
          })
        ).json(),
      (m: { publishState?: string }) => m.publishState === 'published',
      { timeoutMs: 60_000, what: 'the message published over SASL' },
    );
  }, 120_000);
});
