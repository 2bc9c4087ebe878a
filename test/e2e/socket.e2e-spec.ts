import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { Topics } from '@herald/contracts';
import { startApps, startNotifications, RunningApps } from '../support/apps';
import { isolatedGroup, IsolatedGroup } from '../support/consumer-group';
import { uniqueUser } from '../support/env';
import { waitForNotificationsReady } from '../support/group-readiness';
import { reportLatency } from '../support/latency';
import { countsOf, createdOf, openSocket, SocketClient } from '../support/socket';
import { openSse, SseClient } from '../support/sse';
import { waitFor } from '../support/wait';

/** Longest wait for pushes (eventual consistency on a shared, possibly loaded machine), in ms. */
const PUSH_TIMEOUT_MS = 60_000;
/** Messages sent in the fan-out test, and how many are in flight at once. */
const MESSAGES = 100;
const IN_FLIGHT = 10;

/**
 * The Socket.IO gateway across two notifications instances on the real servers: the same pushes
 * as SSE, through the same Kafka broadcast (no Socket.IO adapter), and unread counts that follow a
 * PATCH / read-all made on the OTHER instance (`inbox.changed`).
 */
describe('notification sockets (Socket.IO)', () => {
  let apps: RunningApps;
  let second: NestFastifyApplication;
  let group: IsolatedGroup;
  let urlA: string;
  let urlB: string;
  const alice = uniqueUser('alice');
  const users = [uniqueUser('bob'), uniqueUser('carol'), uniqueUser('dave')];
  const [bob, carol, dave] = users;
  const t: Record<string, string> = {};
  const sockets: SocketClient[] = [];
  const streams: SseClient[] = [];
  /** messageId → when its POST answered 201 (ms since the epoch). */
  const acceptedAt = new Map<string, number>();
  /** user → messageIds sent to them. */
  const expected = new Map<string, Set<string>>(users.map((u) => [u, new Set<string>()]));

  beforeAll(async () => {
    group = await isolatedGroup('socket', Topics.MessageCreated);
    apps = await startApps(group.env, true);
    second = await startNotifications(group.env, true);
    await waitForNotificationsReady(group.groupId, [apps.notifications, second]);
    urlA = await apps.notifications.getUrl();
    urlB = await second.getUrl();
    for (const u of [alice, ...users]) t[u] = await apps.token(u);
  }, 240_000);
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    streams.forEach((s) => s.close());
    await second?.close();
    await apps?.close();
    await group?.release(alice, ...users);
  }, 120_000);

  const connect = async (url: string, user: string) => {
    const s = await openSocket(url, t[user]);
    sockets.push(s);
    return s;
  };
  const send = async (to: string[], body: string) => {
    const res = await request(apps.messages.getHttpServer())
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${t[alice]}`)
      .send({ recipientIds: to, body })
      .expect(201);
    acceptedAt.set(res.body.id, Date.now());
    for (const u of to) expected.get(u)!.add(res.body.id);
    return res.body.id as string;
  };
  const unread = async (app: NestFastifyApplication, user: string) =>
    (
      await request(app.getHttpServer())
        .get('/api/v1/notifications/count')
        .query({ read: false })
        .set('Authorization', `Bearer ${t[user]}`)
        .expect(200)
    ).body.count as number;

  it('refuses a handshake without a token or with a bad one (connect_error, status 401)', async () => {
    for (const token of [undefined, 'nope', `${'x'.repeat(20)}.${'y'.repeat(20)}.${'z'.repeat(20)}`]) {
      const err = await openSocket(urlA, token).then(
        () => undefined,
        (e: Error & { data?: { status?: number } }) => e,
      );
      expect(err?.data?.status).toBe(401);
      expect(err?.message).toMatch(token === undefined ? /missing token/ : /invalid or expired token/);
    }
  });

  it('gives each user exactly their own notifications on both instances, once each, with the right counts', async () => {
    const byUser = new Map<string, SocketClient[]>();
    for (const u of users) byUser.set(u, [await connect(urlA, u), await connect(urlB, u)]);
    // Every connection starts with the unread count (0: fresh users).
    await waitFor(
      async () => sockets.map((s) => countsOf(s).length),
      (c) => c.every((n) => n >= 1),
      { what: 'initial counts', timeoutMs: PUSH_TIMEOUT_MS },
    );
    expect(sockets.flatMap((s) => countsOf(s).slice(0, 1))).toEqual(sockets.map(() => 0));

    // 100 messages over 7 recipient sets (one, two or all three users), IN_FLIGHT at a time.
    const sets = [[bob], [carol], [dave], [bob, carol], [carol, dave], [bob, dave], [bob, carol, dave]];
    for (let i = 0; i < MESSAGES; i += IN_FLIGHT) {
      await Promise.all(
        Array.from({ length: Math.min(IN_FLIGHT, MESSAGES - i) }, (_, k) =>
          send(sets[(i + k) % sets.length], `fan-out ${i + k}`),
        ),
      );
    }
    const want = (u: string) => expected.get(u)!.size;
    await waitFor(
      async () => users.map((u) => byUser.get(u)!.map((s) => createdOf(s).length)),
      (c) => c.every((pair, i) => pair.every((n) => n >= want(users[i]))),
      {
        what: 'every socket has its notifications',
        timeoutMs: PUSH_TIMEOUT_MS,
      },
    );
    await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate or a stray to show up

    const latencies: number[] = [];
    for (const u of users) {
      for (const s of byUser.get(u)!) {
        const got = createdOf(s);
        expect(got).toHaveLength(want(u));
        expect(new Set(got.map((n) => n.id)).size).toBe(got.length); // no duplicates
        expect(got.every((n) => n.recipientId === u)).toBe(true); // only their own
        expect(got.map((n) => n.messageId).sort()).toEqual([...expected.get(u)!].sort());
        for (const e of s.events)
          if (e.event === 'notification.created') latencies.push(e.at - acceptedAt.get(e.data.messageId)!);
      }
      // The last count pushed (coalesced per user) is the stored unread count.
      const stored = await unread(apps.notifications, u);
      expect(stored).toBe(want(u));
      for (const s of byUser.get(u)!)
        await waitFor(
          async () => countsOf(s).at(-1),
          (c) => c === stored,
          { what: `${u}'s count ${stored}`, timeoutMs: PUSH_TIMEOUT_MS },
        );
    }
    reportLatency(
      'socket.e2e fan-out',
      'POST /messages 201 → notification.created on a socket, 2 instances, 3 users × 2 sockets, 100 messages 10 in flight (ms)',
      latencies,
    );
  }, 240_000);

  it('pushes the new count to every instance after a PATCH or read-all on one of them (sockets and SSE)', async () => {
    const bobB = await connect(urlB, bob);
    const carolA = await connect(urlA, carol);
    const daveSse = await openSse(`${urlB}/api/v1/notifications/stream`, { authorization: `Bearer ${t[dave]}` });
    streams.push(daveSse);
    const bobCount = await unread(apps.notifications, bob);
    await waitFor(
      async () => countsOf(bobB).at(-1),
      (c) => c === bobCount,
      { what: 'bob initial count' },
    );
    await waitFor(async () => daveSse.events.some((e) => e.event === 'unread-count.changed'), Boolean, {
      what: 'dave SSE initial count',
    });

    // PATCH on instance A → bob's socket on instance B.
    const one =
      createdOf(bobB).at(-1) ??
      (
        await request(apps.notifications.getHttpServer())
          .get('/api/v1/notifications')
          .set('Authorization', `Bearer ${t[bob]}`)
          .expect(200)
      ).body.data[0];
    await request(apps.notifications.getHttpServer())
      .patch(`/api/v1/notifications/${one.id}`)
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({ read: true })
      .expect(200);
    await waitFor(
      async () => countsOf(bobB).at(-1),
      (c) => c === bobCount - 1,
      { what: `bob's count ${bobCount - 1} on the other instance`, timeoutMs: PUSH_TIMEOUT_MS },
    );

    // read-all on instance B → carol's socket on instance A.
    await request(second.getHttpServer())
      .post('/api/v1/notifications/read-all')
      .set('Authorization', `Bearer ${t[carol]}`)
      .expect(200);
    await waitFor(
      async () => countsOf(carolA).at(-1),
      (c) => c === 0,
      { what: "carol's count 0 on the other instance", timeoutMs: PUSH_TIMEOUT_MS },
    );

    // read-all on instance A → dave's SSE stream on instance B: the SSE payload is unchanged ({count, capped}).
    await request(apps.notifications.getHttpServer())
      .post('/api/v1/notifications/read-all')
      .set('Authorization', `Bearer ${t[dave]}`)
      .expect(200);
    await waitFor(
      async () => daveSse.events.filter((e) => e.event === 'unread-count.changed').at(-1)?.data,
      (d) => d?.count === 0,
      { what: "dave's SSE count 0", timeoutMs: PUSH_TIMEOUT_MS },
    );
    expect(daveSse.events.filter((e) => e.event === 'unread-count.changed').at(-1)?.data).toEqual({
      count: 0,
      capped: false,
    });
  }, 120_000);

  it('resumes after a reconnection: what was stored meanwhile is replayed once, then live again', async () => {
    const s = await connect(urlB, dave);
    await waitFor(
      async () => countsOf(s).length,
      (n) => n >= 1,
      { what: 'initial count' },
    );
    const first = await send([dave], 'before the drop');
    await waitFor(
      async () => createdOf(s).map((n) => n.messageId),
      (ids) => ids.includes(first),
      { what: 'first push', timeoutMs: PUSH_TIMEOUT_MS },
    );

    s.socket.disconnect();
    const missed: string[] = [];
    for (let i = 0; i < 5; i++) missed.push(await send([dave], `while away ${i}`));
    await waitFor(
      () => unread(apps.notifications, dave),
      (n) => n >= 6,
      { what: 'the 5 missed notifications stored', timeoutMs: PUSH_TIMEOUT_MS },
    );

    s.socket.connect(); // auth() sends lastEventId = the first notification's id
    await waitFor(
      async () => createdOf(s).length,
      (n) => n >= 6,
      { what: 'replay of the missed ones', timeoutMs: PUSH_TIMEOUT_MS },
    );
    const live = await send([dave], 'after the reconnection');
    await waitFor(
      async () => createdOf(s).map((n) => n.messageId),
      (ids) => ids.includes(live),
      { what: 'live push after resume', timeoutMs: PUSH_TIMEOUT_MS },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(createdOf(s).map((n) => n.messageId)).toEqual([first, ...missed, live]);
    await waitFor(
      async () => countsOf(s).at(-1),
      (c) => c === 7,
      { what: "dave's count 7" },
    );
  }, 120_000);
});
