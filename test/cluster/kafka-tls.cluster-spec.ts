import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@herald/config';
import { kafkaClientConfig } from '@herald/kafka';
import { clusterPort, createTopics, KafkaCluster, kafkaNodes, useBrokers } from '../support/cluster';
import { testServers, uniqueUser } from '../support/env';
import { awaitNotifications, dropDatabase, reportFault } from '../support/fault-metrics';
import { expectedOf, makeCast, sendMessages, statusHistogram } from '../support/load';
import { faultDatabaseUri, startApp, stopAllApps, withAppLogs } from '../support/processes';

/** Runs openssl with `args` in `cwd` (quiet; throws with its output on failure). */
const openssl = (cwd: string, ...args: string[]): void => {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
};

/**
 * A CA (self-signed, RSA 2048) in `<name>-ca.pem` / `<name>-ca.key`, made with openssl.
 * @returns the CA certificate's path
 */
function makeCa(dir: string, name: string): string {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=Herald test CA ${name}`,
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.pem`,
  );
  return join(dir, `${name}-ca.pem`);
}

/**
 * The broker's key and certificate, signed by CA `ca`, for 127.0.0.1 and localhost
 * (subjectAltName: Node checks the server's name against it, RFC 6125), packed into a PKCS#12
 * keystore (what Kafka's `ssl.keystore.type=PKCS12` reads).
 * @returns the keystore's path
 */
function makeBrokerKeystore(dir: string, ca: string, password: string): string {
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'broker.key',
    '-out',
    'broker.csr',
  );
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'broker.csr',
    '-CA',
    `${ca}-ca.pem`,
    '-CAkey',
    `${ca}-ca.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'broker.pem',
  );
  openssl(
    dir,
    'pkcs12',
    '-export',
    '-in',
    'broker.pem',
    '-inkey',
    'broker.key',
    '-name',
    'broker',
    '-out',
    'broker.p12',
    '-passout',
    `pass:${password}`,
  );
  return join(dir, 'broker.p12');
}

/**
 * Kafka on a TLS listener (issue 16): a CA and the broker's certificate made by the test with
 * openssl, a one-node cluster whose client listener is SSL, the apps connected with the documented
 * settings (`KAFKA_SSL=true`, `KAFKA_SSL_CA_FILE`: docs/security.md) delivering messages end to
 * end; a client trusting another CA is refused with an error naming the certificate problem.
 */
describe('cluster: Kafka over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-kafka-tls-'));
  const password = `ks-${Math.random().toString(36).slice(2)}`;
  const uri = faultDatabaseUri(testServers().MONGODB_URI, 'kafka_tls');
  let kafka: KafkaCluster;
  let restoreBrokers: () => void = () => undefined;
  let caFile: string;
  let wrongCaFile: string;

  /** The apps' own client settings (libs/kafka) for the TLS listener, with `ca` as the trusted CA. */
  const tlsEnv = (ca: string): Record<string, string> => ({
    KAFKA_BROKERS: kafka.externalBrokers!,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: ca,
  });
  const adminOf = (ca: string) =>
    new Kafka({
      ...kafkaClientConfig(
        loadConfig({ ...tlsEnv(ca), MONGODB_URI: 'mongodb://127.0.0.1:1/unused' }),
        'herald-tls-test',
      ),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();

  beforeAll(async () => {
    caFile = makeCa(dir, 'good');
    wrongCaFile = makeCa(dir, 'other');
    const keystore = makeBrokerKeystore(dir, 'good', password);
    kafka = await kafkaNodes.startKafkaCluster({
      ports: [{ client: clusterPort(40), controller: clusterPort(41), external: clusterPort(42) }],
      dir: join(dir, 'kafka'),
      tls: { keystore, password },
    });
    restoreBrokers = useBrokers(kafka.brokers);
    await createTopics(kafka.brokers, 1);
    await dropDatabase(uri);
  }, 240_000);

  afterAll(async () => {
    await stopAllApps();
    restoreBrokers();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it(
    'the apps connect with KAFKA_SSL + KAFKA_SSL_CA_FILE and deliver every message',
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const admin = adminOf(caFile);
        await admin.connect();
        const brokers = (await admin.describeCluster()).brokers;
        await admin.disconnect();
        expect(brokers.map((b) => b.port)).toEqual([clusterPort(42)]); // the TLS listener's metadata
        const env = tlsEnv(caFile);
        await startApp('notifications', { mongoUri: uri, env, port: clusterPort(54) });
        const messages = await startApp('messages', { mongoUri: uri, env, port: clusterPort(55) });
        const cast = await makeCast(uniqueUser('tls'));
        const sent = await sendMessages(messages.url, cast, 100, { concurrency: 10 });
        const count = await awaitNotifications(uri, expectedOf(sent), { timeoutMs: 120_000 });
        reportFault({
          fault: 'kafka-tls',
          sent: sent.length,
          expected: 2 * sent.length,
          stored: count.stored,
          lost: count.lost,
          duplicated: count.duplicated,
          dlq: 0,
          seconds: (Date.now() - t0) / 1000,
          details: {
            title: 'Apps on a TLS listener (CA made by the test)',
            statuses: JSON.stringify(statusHistogram(sent)),
          },
        });
        expect(statusHistogram(sent)).toEqual({ 201: 100 });
        expect(count).toEqual({ stored: 200, delivered: 200, lost: 0, duplicated: 0, unexpected: 0 });
      }),
    240_000,
  );

  it('a client trusting another CA is refused with a certificate error', async () => {
    const admin = adminOf(wrongCaFile);
    const err = await admin.connect().then(
      () => undefined,
      (e: Error) => e,
    );
    await admin.disconnect().catch(() => undefined);
    expect(err).toBeInstanceOf(Error);
    process.stdout.write(`kafka-tls wrong CA refused: ${err?.message}\n`);
    // Node's TLS error, e.g. "self-signed certificate in certificate chain" / "unable to get local issuer certificate".
    expect(String(err?.message)).toMatch(/certificate/i);
  }, 60_000);

  it('an app trusting another CA does not become ready and says why', async () => {
    const failed = await startApp('messages', {
      mongoUri: uri,
      env: tlsEnv(wrongCaFile),
      port: clusterPort(56),
      readyTimeoutMs: 30_000,
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failed).toBeInstanceOf(Error);
    const said = /[^\n]*certificate[^\n]*/i.exec(String(failed?.message))?.[0] ?? '';
    process.stdout.write(`kafka-tls app with wrong CA: ${said.slice(0, 400)}\n`);
    expect(said).not.toBe('');
  }, 120_000);
});
