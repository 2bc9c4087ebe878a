import { uniqueUser, testServers } from '../support/env';
import { boundedAll, httpRequest } from '../support/http';
import { clusterPort } from '../support/cluster';
import { dropDatabase, reportFault, withMongo } from '../support/fault-metrics';
import { AppProcess, faultDatabaseUri, signToken, startApp, stopAllApps, withAppLogs } from '../support/processes';

/** The per-user limit of the test, per minute, and how many requests one user sends in all. */
const LIMIT = 30;
const REQUESTS = 90;

/**
 * Waits until at least `marginMs` are left in the current minute: the limits count in fixed
 * one-minute windows, and a window ending mid-test would give the user a second budget.
 */
async function awayFromWindowEnd(marginMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 200));
}

/**
 * Rate limits across instances (issue 16): two messages apps behind an imaginary load balancer,
 * one user's requests spread over both, 10 in flight. With the counters in MongoDB (the default,
 * `RATE_LIMIT_STORE=mongodb`) the user gets exactly the limit across both instances; with
 * `RATE_LIMIT_STORE=memory` each instance counts alone and lets through twice as many.
 */
describe('cluster: rate limits shared by two instances', () => {
  const uri = faultDatabaseUri(testServers().MONGODB_URI, 'shared_limits');

  beforeAll(() => dropDatabase(uri), 60_000);
  afterAll(() => stopAllApps(), 60_000);

  /** Starts two messages apps with `store`, sends REQUESTS requests of one user alternately; status histogram. */
  async function spread(
    store: 'mongodb' | 'memory',
    portOffset: number,
  ): Promise<{ statuses: Record<string, number>; apps: AppProcess[] }> {
    const env = {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_IP_PER_MINUTE: '100000',
      RATE_LIMIT_STORE: store,
    };
    const apps = [
      await startApp('messages', { mongoUri: uri, env, port: clusterPort(portOffset) }),
      await startApp('messages', { mongoUri: uri, env, port: clusterPort(portOffset + 1) }),
    ];
    const token = await signToken(uniqueUser('limited'));
    await awayFromWindowEnd();
    const codes = await boundedAll(REQUESTS, 10, async (i) => {
      const res = await httpRequest('GET', `${apps[i % 2].url}/api/v1/messages/000000000000000000000000`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return res.status;
    });
    const statuses = codes.reduce<Record<string, number>>((h, c) => ({ ...h, [c]: (h[c] ?? 0) + 1 }), {});
    return { statuses, apps };
  }

  it(
    `one user's budget (${LIMIT}/min) holds across two instances with the MongoDB store`,
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const { statuses, apps } = await spread('mongodb', 60);
        const hitDocs = await withMongo(uri, (db) => db.collection('rate_limits').countDocuments({}));
        reportFault({
          fault: 'limits-shared',
          sent: REQUESTS,
          expected: LIMIT,
          stored: statuses['404'] ?? 0,
          lost: 0,
          duplicated: 0,
          dlq: 0,
          seconds: (Date.now() - t0) / 1000,
          details: {
            title: `${REQUESTS} requests of one user over 2 instances, limit ${LIMIT}/min (MongoDB store)`,
            statuses: JSON.stringify(statuses),
            hitDocs,
          },
        });
        // The unknown message answers 404 (allowed requests); everything past the budget is 429.
        expect(statuses).toEqual({ 404: LIMIT, 429: REQUESTS - LIMIT });
        expect(apps.every((a) => a.alive())).toBe(true);
      }),
    180_000,
  );

  it(
    'control: with the in-memory store each instance counts alone (2 × the limit gets through)',
    () =>
      withAppLogs(async () => {
        const t0 = Date.now();
        const { statuses } = await spread('memory', 62);
        reportFault({
          fault: 'limits-per-instance',
          sent: REQUESTS,
          expected: 2 * LIMIT,
          stored: statuses['404'] ?? 0,
          lost: 0,
          duplicated: 0,
          dlq: 0,
          seconds: (Date.now() - t0) / 1000,
          details: { title: `the same with RATE_LIMIT_STORE=memory (control)`, statuses: JSON.stringify(statuses) },
        });
        expect(statuses).toEqual({ 404: 2 * LIMIT, 429: REQUESTS - 2 * LIMIT });
      }),
    180_000,
  );
});
