import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { Topics } from '@herald/contracts';
import { startApps, startNotifications, RunningApps } from '../support/apps';
import { isolatedGroup, IsolatedGroup } from '../support/consumer-group';
import { uniqueUser } from '../support/env';
import { waitForNotificationsReady } from '../support/group-readiness';
import { openSse, SseClient } from '../support/sse';
import { waitFor } from '../support/wait';

/** Longest wait for pushes (eventual consistency on a shared, possibly loaded machine), in ms. */
const PUSH_TIMEOUT_MS = 60_000;

/**
 * Real-time push over SSE, across two notifications instances, on the real servers. The instances
 * consume `message.created` in a group of their own, positioned at the topic's end (no backlog of
 * other tests or apps in group `notifications` ahead of this test's events), and messages are sent
 * only once both groups and both broadcast consumers hold their partitions.
 */
describe('notification stream (SSE)', () => {
  let apps: RunningApps;
  let second: NestFastifyApplication;
  let group: IsolatedGroup;
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const carol = uniqueUser('carol');
  const t: Record<string, string> = {};
  const streams: SseClient[] = [];

  beforeAll(async () => {
    group = await isolatedGroup('push', Topics.MessageCreated);
    apps = await startApps(group.env, true);
    second = await startNotifications(group.env, true);
    await waitForNotificationsReady(group.groupId, [apps.notifications, second]);
    for (const u of [alice, bob, carol]) t[u] = await apps.token(u);
  }, 240_000);
  afterAll(async () => {
    streams.forEach((s) => s.close());
    await second?.close();
    await apps?.close();
    await group?.release(alice, bob, carol);
  }, 120_000);

  const open = async (app: NestFastifyApplication, query: string, headers: Record<string, string> = {}) => {
    const s = await openSse(`${await app.getUrl()}/api/v1/notifications/stream${query}`, headers);
    streams.push(s);
    return s;
  };
  const send = (to: string[], body: string) =>
    request(apps.messages.getHttpServer())
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${t[alice]}`)
      .send({ recipientIds: to, body })
      .expect(201);

  it('rejects a stream without a valid token', async () => {
    expect((await open(apps.notifications, '')).status).toBe(401);
    expect((await open(apps.notifications, '?access_token=nope')).status).toBe(401);
  });

  it('pushes each user exactly their own notifications, whichever instance stored them', async () => {
    // bob on instance A (query token), carol on instance B (cookie); the consumer group spreads
    // partitions over both instances, so stores happen on either.
    const bobA = await open(apps.notifications, `?access_token=${t[bob]}`);
    const carolB = await open(second, '', { cookie: `access_token=${t[carol]}` });
    const bobB = await open(second, '', { authorization: `Bearer ${t[bob]}` });
    expect([bobA.status, carolB.status, bobB.status]).toEqual([200, 200, 200]);
    await waitFor(
      async () => [bobA, carolB, bobB].every((s) => s.events.some((e) => e.event === 'unread-count.changed')),
      Boolean,
      { what: 'initial counts', timeoutMs: PUSH_TIMEOUT_MS },
    );

    const sent: string[] = [];
    for (let i = 0; i < 10; i++) sent.push((await send([bob], `to bob ${i}`)).body.id);
    for (let i = 0; i < 5; i++) await send([carol], `to carol ${i}`);
    const created = (s: SseClient) => s.events.filter((e) => e.event === 'notification.created');
    await waitFor(
      async () => [created(bobA).length, created(bobB).length, created(carolB).length],
      (c) => c[0] >= 10 && c[1] >= 10 && c[2] >= 5,
      { what: 'pushes', timeoutMs: PUSH_TIMEOUT_MS },
    );
    await new Promise((r) => setTimeout(r, 1000));

    for (const s of [bobA, bobB]) {
      const events = created(s);
      expect(events).toHaveLength(10);
      expect(events.every((e) => e.data.recipientId === bob)).toBe(true);
      expect(events.map((e) => e.data.messageId).sort()).toEqual([...sent].sort());
      expect(events.every((e) => e.id === e.data.id)).toBe(true);
    }
    expect(created(carolB)).toHaveLength(5);
    expect(created(carolB).every((e) => e.data.recipientId === carol)).toBe(true);

    // Every pushed notification is already stored: GET returns it.
    const list = await request(apps.notifications.getHttpServer())
      .get('/api/v1/notifications')
      .query({ limit: 100 })
      .set('Authorization', `Bearer ${t[bob]}`)
      .expect(200);
    const stored = new Set(list.body.data.map((n: { id: string }) => n.id));
    expect(created(bobA).every((e) => stored.has(e.data.id))).toBe(true);

    // The unread count follows (coalesced per user: the last count is taken after the last push).
    const counts = () =>
      bobA.events.filter((e) => e.event === 'unread-count.changed').map((e) => e.data.count as number);
    await waitFor(
      async () => counts().at(-1),
      (c) => c === 10,
      { what: 'unread count 10' },
    );
    expect(Math.max(...counts())).toBe(10);

    // Marking one read on this instance pushes the lower count to the streams here.
    await request(apps.notifications.getHttpServer())
      .patch(`/api/v1/notifications/${created(bobA)[0].data.id}`)
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({ read: true })
      .expect(200);
    await waitFor(
      async () => counts().at(-1),
      (c) => c === 9,
      { what: 'unread count 9', timeoutMs: PUSH_TIMEOUT_MS },
    );
  }, 180_000);

  it('replays what was stored after Last-Event-ID', async () => {
    const first = (
      await request(apps.notifications.getHttpServer())
        .get('/api/v1/notifications')
        .query({ limit: 100 })
        .set('Authorization', `Bearer ${t[bob]}`)
        .expect(200)
    ).body.data as Array<{ id: string }>;
    const oldest = first[first.length - 1].id; // 9 newer ones exist
    const s = await open(second, '', { authorization: `Bearer ${t[bob]}`, 'last-event-id': oldest });
    await waitFor(
      async () => s.events.filter((e) => e.event === 'notification.created').length,
      (n) => n >= 9,
      { what: 'replay', timeoutMs: PUSH_TIMEOUT_MS },
    );
    expect(s.events.filter((e) => e.event === 'notification.created').map((e) => e.id)).toEqual(
      first
        .slice(0, -1)
        .map((n) => n.id)
        .reverse(),
    );
  });
});
