import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@herald/contracts';
import {
  clusterPort,
  createTopics,
  KafkaCluster,
  kafkaNodes,
  toxiproxy,
  ToxiproxyServer,
  useBrokers,
} from '../support/cluster';
import { testServers, uniqueUser } from '../support/env';
import { countNotifications, dropDatabase, Expected, reportFault } from '../support/fault-metrics';
import { caughtUp, eventCounts, latencyFigures, seconds } from '../support/fault-phases';
import { Offsets, topicEnds } from '../support/kafka-probe';
import { expectedOf, makeCast, sendMessages, Sent, statusHistogram } from '../support/load';
import { AppProcess, faultDatabaseUri, startApp, stopAllApps, withAppLogs } from '../support/processes';
import { Toxic, ToxiproxyApi } from '../support/toxiproxy';

/** Messages sent while a fault is on, and after it is removed (per fault). */
const DURING = 240;
const AFTER = 120;
const CONCURRENCY = 10;
/** A database blackhole: every byte dropped both ways, connections left open (Toxiproxy `timeout` 0). */
const BLACKHOLE: Toxic[] = [
  { name: 'down', type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } },
  { name: 'up', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } },
];

/**
 * Flaky network (issue 16): Toxiproxy between the apps and Kafka and between the apps and the
 * MongoDB-wire server, faults set through its HTTP API while messages flow. Kafka is a node of its
 * own (its EXTERNAL listener advertised at the proxy's port, so the apps' every broker connection
 * goes through the proxy; the test's own clients use its PLAINTEXT listener directly); the database
 * is the stack's FerretDB behind the second proxy. For each fault: POSTs answered 201 (or a clean
 * 503 while the database is unreachable: nothing accepted then), 0 lost, 0 duplicated among the
 * accepted messages, both apps alive; printed: p50/p99 of the POSTs before (baseline, once),
 * during and after, and the time from removing the fault until every accepted message's
 * notifications are stored (`recoverS`).
 */
describe('cluster: flaky network (Toxiproxy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-flaky-'));
  const ports = {
    api: clusterPort(0),
    mongoProxy: clusterPort(1),
    kafkaProxy: clusterPort(2),
    kafka: clusterPort(10),
    controller: clusterPort(11),
    external: clusterPort(12),
    messages: clusterPort(50),
    notifications: clusterPort(51),
  };
  const directUri = faultDatabaseUri(testServers().MONGODB_URI, 'flaky_network');
  const proxiedUri = faultDatabaseUri(`mongodb://127.0.0.1:${ports.mongoProxy}/herald`, 'flaky_network');
  let proxy: ToxiproxyServer;
  let api: ToxiproxyApi;
  let kafka: KafkaCluster;
  let restoreBrokers: () => void = () => undefined;
  let messages: AppProcess;
  let notifications: AppProcess;
  let baseline: Sent[] = [];

  beforeAll(async () => {
    [proxy, kafka] = await Promise.all([
      toxiproxy.startToxiproxy({ port: ports.api, dir: join(dir, 'toxiproxy') }),
      kafkaNodes.startKafkaCluster({
        ports: [
          {
            client: ports.kafka,
            controller: ports.controller,
            external: ports.external,
            advertisedPort: ports.kafkaProxy,
          },
        ],
        dir: join(dir, 'kafka'),
      }),
    ]);
    api = new ToxiproxyApi(proxy.api);
    const mongoUpstream = /^mongodb:\/\/([^/?,]+)/.exec(testServers().MONGODB_URI)![1];
    await api.proxy('mongo', ports.mongoProxy, mongoUpstream);
    await api.proxy('kafka', ports.kafkaProxy, `127.0.0.1:${ports.external}`);
    restoreBrokers = useBrokers(kafka.brokers);
    await createTopics(kafka.brokers, 1);
    await dropDatabase(directUri);
    const env = { KAFKA_BROKERS: kafka.externalBrokers!, PUBLISH_TIMEOUT_MS: '2000' };
    notifications = await startApp('notifications', {
      mongoUri: proxiedUri,
      env,
      port: ports.notifications,
      readyTimeoutMs: 120_000,
    });
    messages = await startApp('messages', { mongoUri: proxiedUri, env, port: ports.messages, readyTimeoutMs: 120_000 });
    const cast = await makeCast(uniqueUser('flaky-base'));
    baseline = await sendMessages(messages.url, cast, DURING, { concurrency: CONCURRENCY });
  }, 300_000);

  // Each fault starts from a clean proxy: a test that failed before removing its toxics (e.g. a
  // blackhole) must not leave them in place for the next one (which would then measure both).
  afterEach(() => api?.reset(), 30_000);

  afterAll(async () => {
    await stopAllApps();
    restoreBrokers();
    await Promise.all([kafka?.stop(), proxy?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  /**
   * Runs one fault: toxics on, DURING messages sent; the toxics are removed once those are answered
   * or, with `holdMs`, `holdMs` after they were added (the sends go on meanwhile); then the
   * catch-up is timed, AFTER messages are sent, and everything is counted and reported.
   */
  async function underFault(
    fault: string,
    title: string,
    proxyName: 'mongo' | 'kafka',
    toxics: Toxic[],
    holdMs?: number,
  ) {
    const t0 = Date.now();
    const from: Offsets = await topicEnds(Topics.MessageCreated);
    const cast = await makeCast(uniqueUser(fault));
    for (const t of toxics) await api.add(proxyName, t);
    const tOn = Date.now();
    let removed: Promise<number> | undefined;
    const removeAll = async () => {
      for (const t of toxics) await api.remove(proxyName, t.name);
      return Date.now();
    };
    if (holdMs !== undefined) {
      removed = new Promise((r) => setTimeout(r, holdMs)).then(removeAll);
      // Awaited (and so thrown) once the sends are answered; handled now so a failed removal is not
      // an unhandled rejection meanwhile.
      removed.catch(() => undefined);
    }
    const during = await sendMessages(messages.url, cast, DURING, { concurrency: CONCURRENCY });
    const tOff = await (removed ?? removeAll());
    const recoveryMs = await caughtUp(directUri, expectedOf(during));
    const after = await sendMessages(messages.url, cast, AFTER, { concurrency: CONCURRENCY, offset: DURING });
    const all = [...during, ...after];
    const expected: Expected[] = expectedOf(all);
    await caughtUp(directUri, expected);
    await new Promise((r) => setTimeout(r, 2000)); // late duplicates
    const count = await countNotifications(directUri, expected);
    const events = await eventCounts(from, cast, all);
    const statuses = statusHistogram(all);
    reportFault({
      fault,
      sent: all.length,
      expected: expected.reduce((n, e) => n + e.recipients.length, 0),
      stored: count.stored,
      lost: count.lost,
      duplicated: count.duplicated,
      dlq: 0,
      seconds: (Date.now() - t0) / 1000,
      details: {
        title,
        faultS: seconds(tOff - tOn),
        ...latencyFigures('base', baseline),
        ...latencyFigures('during', during),
        ...latencyFigures('after', after),
        recoverS: recoveryMs < 0 ? 'timeout' : seconds(recoveryMs),
        statuses: JSON.stringify(statuses),
        storedDespiteError: count.unexpected,
        ...events,
      },
    });
    // Nothing accepted is lost or stored twice; refusals are clean 503s, never 500s or dropped connections.
    expect(count.lost).toBe(0);
    expect(count.duplicated).toBe(0);
    expect(Object.keys(statuses).filter((s) => s !== '201' && s !== '503')).toEqual([]);
    expect(statusHistogram(after)).toEqual({ 201: AFTER });
    expect(events.unpublished).toBe(0);
    expect(messages.alive() && notifications.alive()).toBe(true);
  }

  it(
    'database latency 200 ms ± 50 ms',
    () =>
      withAppLogs(() =>
        underFault('net-db-latency', 'Database latency 200 ms ± 50 ms', 'mongo', [
          { name: 'lat', type: 'latency', attributes: { latency: 200, jitter: 50 } },
        ]),
      ),
    300_000,
  );

  it(
    'Kafka latency 200 ms ± 50 ms',
    () =>
      withAppLogs(() =>
        underFault('net-kafka-latency', 'Kafka latency 200 ms ± 50 ms', 'kafka', [
          { name: 'lat', type: 'latency', attributes: { latency: 200, jitter: 50 } },
        ]),
      ),
    300_000,
  );

  it(
    'Kafka connections reset (TCP RST) mid-stream for 2 s',
    () =>
      withAppLogs(() =>
        underFault(
          'net-kafka-reset',
          'Kafka connections reset mid-stream (2 s of TCP RST)',
          'kafka',
          [{ name: 'rst', type: 'reset_peer', attributes: { timeout: 0 } }],
          2000,
        ),
      ),
    300_000,
  );

  it(
    'database connections reset (TCP RST) mid-stream for 2 s',
    () =>
      withAppLogs(() =>
        underFault(
          'net-db-reset',
          'Database connections reset mid-stream (2 s of TCP RST)',
          'mongo',
          [{ name: 'rst', type: 'reset_peer', attributes: { timeout: 0 } }],
          2000,
        ),
      ),
    300_000,
  );

  it(
    'database blackhole for 10 s',
    () =>
      withAppLogs(() =>
        underFault(
          'net-db-blackhole',
          'Database blackhole 10 s (all data dropped both ways)',
          'mongo',
          BLACKHOLE,
          10_000,
        ),
      ),
    300_000,
  );

  // Longer than the driver needs to notice (a heartbeat times out after connectTimeoutMS, up to
  // heartbeatFrequencyMS later): the server is marked Unknown and its pool cleared while the fault
  // is on, and must be found again once it is removed. The POSTs caught in it must still end as
  // clean 503s (not hang past the client's 30 s), and everything after must be 201.
  it(
    'database blackhole for 45 s (past the driver noticing it)',
    () =>
      withAppLogs(() =>
        underFault(
          'net-db-blackhole-long',
          'Database blackhole 45 s (all data dropped both ways)',
          'mongo',
          BLACKHOLE,
          45_000,
        ),
      ),
    300_000,
  );

  it(
    'Kafka bandwidth limited to a trickle (16 KB/s each way)',
    () =>
      withAppLogs(() =>
        underFault('net-kafka-trickle', 'Kafka bandwidth 16 KB/s each way', 'kafka', [
          { name: 'down', type: 'bandwidth', stream: 'downstream', attributes: { rate: 16 } },
          { name: 'up', type: 'bandwidth', stream: 'upstream', attributes: { rate: 16 } },
        ]),
      ),
    300_000,
  );
});
