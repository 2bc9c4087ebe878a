import mongoose from 'mongoose';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Topics } from '@herald/contracts';
import { startApps, startNotifications, RunningApps } from '../support/apps';
import { isolatedGroup, IsolatedGroup } from '../support/consumer-group';
import { testServers, uniqueUser } from '../support/env';
import { ALIVE_CACHE_MS, PRESENCE_RENEW_MS } from '../../apps/notifications/src/push/connection-cap';
import { openSocket, SocketClient } from '../support/socket';
import { openSse, SseClient } from '../support/sse';
import { waitFor } from '../support/wait';

/** The cap these instances run with (`PUSH_CONNECTIONS_PER_USER`). */
const CAP = 2;

/**
 * The per-user cap on real-time connections holds across two notifications instances and both
 * transports (SSE and Socket.IO), frees a place when a connection closes, and ignores the leases of
 * an instance that stopped renewing (crashed) while counting those of a live one.
 */
describe('real-time connection cap across instances', () => {
  let apps: RunningApps;
  let second: NestFastifyApplication;
  let group: IsolatedGroup;
  let conn: mongoose.Connection;
  let urlA: string;
  let urlB: string;
  const open: Array<SseClient | SocketClient> = [];

  beforeAll(async () => {
    group = await isolatedGroup('cap', Topics.MessageCreated);
    const env = { ...group.env, PUSH_CONNECTIONS_PER_USER: String(CAP) };
    apps = await startApps(env, true);
    second = await startNotifications(env, true);
    urlA = await apps.notifications.getUrl();
    urlB = await second.getUrl();
    conn = await mongoose.createConnection(testServers().MONGODB_URI).asPromise();
  }, 240_000);
  afterAll(async () => {
    open.forEach((c) => c.close());
    await conn?.close();
    await second?.close();
    await apps?.close();
    await group?.release();
  }, 120_000);

  const sse = async (url: string, token: string) => {
    const c = await openSse(`${url}/api/v1/notifications/stream`, { authorization: `Bearer ${token}` });
    open.push(c);
    return c;
  };
  const socket = async (url: string, token: string) => {
    const s = await openSocket(url, token);
    open.push(s);
    return s;
  };
  const socketRefusal = (url: string, token: string) =>
    openSocket(url, token).then(
      (s) => {
        s.close();
        return undefined;
      },
      (e: Error & { data?: { status?: number } }) => e,
    );

  it('counts SSE streams and sockets of one user on both instances together', async () => {
    const token = await apps.token(uniqueUser('capped'));
    expect((await sse(urlA, token)).status).toBe(200);
    await socket(urlB, token);

    const third = await sse(urlB, token);
    expect(third.status).toBe(429);
    const refused = await socketRefusal(urlA, token);
    expect(refused?.data?.status).toBe(429);
    expect(refused?.message).toMatch(/at most 2 per user/);

    // Another user is not affected.
    const other = await apps.token(uniqueUser('other'));
    expect((await sse(urlB, other)).status).toBe(200);
  });

  it('gives the place back when a connection closes', async () => {
    const token = await apps.token(uniqueUser('release'));
    const first = await sse(urlA, token);
    await sse(urlB, token);
    expect((await sse(urlA, token)).status).toBe(429);
    first.close();
    // The release is a database write after the close: poll until the place is free.
    const next = await waitFor(
      () => sse(urlB, token),
      (c) => {
        if (c.status !== 200) c.close();
        return c.status === 200;
      },
      { what: 'a stream accepted after one closed', timeoutMs: 15_000 },
    );
    expect(next.status).toBe(200);
  });

  it("ignores a dead instance's leases and counts a live foreign instance's", async () => {
    const userDead = uniqueUser('deadlease');
    const userLive = uniqueUser('livelease');
    const now = Date.now();
    await conn.collection('push_instances').insertMany([
      { _id: `dead-${userDead}` as never, expiresAt: new Date(now - 60_000) },
      { _id: `live-${userLive}` as never, expiresAt: new Date(now + 120_000) },
    ]);
    const leases = (instanceId: string) =>
      [0, 1].map((i) => ({ id: `${instanceId}-${i}`, instanceId, since: new Date(now) }));
    await conn.collection('push_presence').insertMany([
      { _id: userDead as never, leases: leases(`dead-${userDead}`), rev: 1 },
      { _id: userLive as never, leases: leases(`live-${userLive}`), rev: 1 },
    ]);
    await new Promise((r) => setTimeout(r, ALIVE_CACHE_MS + 500)); // the instances' cached list of live instances expires

    expect((await sse(urlA, await apps.token(userDead))).status).toBe(200);
    expect((await sse(urlA, await apps.token(userLive))).status).toBe(429);

    const doc = await conn.collection('push_presence').findOne({ _id: userDead as never });
    expect(doc?.leases.map((l: { instanceId: string }) => l.instanceId)).not.toContain(`dead-${userDead}`);

    // A renewal (every PRESENCE_RENEW_MS) removes instance documents dead for longer than the TTL.
    await waitFor(
      () => conn.collection('push_instances').countDocuments({ _id: `dead-${userDead}` as never }),
      (n) => n === 0,
      { what: 'the long-dead instance document removed', timeoutMs: PRESENCE_RENEW_MS * 3 },
    );
  });
});
