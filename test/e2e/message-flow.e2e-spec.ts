import { AssignerProtocol, Kafka } from 'kafkajs';
import request from 'supertest';
import { Topics } from '@herald/contracts';
import { NOTIFICATIONS_GROUP_ID } from '../../apps/notifications/src/notifications.settings';
import { startApps, RunningApps } from '../support/apps';
import { testServers, uniqueUser } from '../support/env';
import { waitFor } from '../support/wait';

/** The main job: HTTP → MongoDB → Kafka → consumer group → MongoDB → HTTP, on real servers. */
describe('message → notifications (real Kafka + MongoDB-wire server)', () => {
  let apps: RunningApps;
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const carol = uniqueUser('carol');
  const dave = uniqueUser('dave');
  const eve = uniqueUser('eve');
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    apps = await startApps();
    for (const u of [alice, bob, carol, dave, eve]) tokens[u] = await apps.token(u);
  });

  afterAll(async () => {
    await apps?.close();
  });

  const msgs = () => request(apps.messages.getHttpServer());
  const inbox = () => request(apps.notifications.getHttpServer());
  const listFor = async (user: string) =>
    (await inbox().get('/api/v1/notifications').set('Authorization', `Bearer ${tokens[user]}`).expect(200)).body as {
      data: Array<Record<string, unknown>>;
      nextCursor: string | null;
    };

  it('stores the message, publishes it, and each recipient gets exactly one notification', async () => {
    const body = 'x'.repeat(10) + ' — hello from the e2e test ' + 'y'.repeat(200);
    const res = await msgs()
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${tokens[alice]}`)
      .send({ recipientIds: [bob, carol, dave], body })
      .expect(201);
    const message = res.body as {
      id: string;
      conversationId: string;
      senderId: string;
      recipientIds: string[];
      createdAt: string;
    };
    expect(message.id).toMatch(/^[a-f0-9]{24}$/);
    expect(message.senderId).toBe(alice);
    expect(message.recipientIds).toEqual([bob, carol, dave]);
    expect(message.conversationId).toMatch(/^dm_[a-f0-9]{32}$/);

    for (const user of [bob, carol, dave]) {
      const page = await waitFor(
        () => listFor(user),
        (p) => p.data.length >= 1,
        { what: `${user}'s notification` },
      );
      expect(page.data).toHaveLength(1);
      expect(page.nextCursor).toBeNull();
      const n = page.data[0];
      expect(n).toMatchObject({
        recipientId: user,
        type: 'message.created',
        messageId: message.id,
        conversationId: message.conversationId,
        senderId: alice,
        preview: body.slice(0, 140),
        createdAt: message.createdAt,
        seenAt: null,
        readAt: null,
        archivedAt: null,
      });
      expect(n.eventId).toMatch(/^[0-9a-f-]{36}$/);
    }

    // The sender and an unrelated user get none (checked after the recipients' arrived).
    expect((await listFor(alice)).data).toHaveLength(0);
    expect((await listFor(eve)).data).toHaveLength(0);

    // The message is readable by its participants only.
    await msgs().get(`/api/v1/messages/${message.id}`).set('Authorization', `Bearer ${tokens[bob]}`).expect(200);
    const own = await msgs()
      .get(`/api/v1/messages/${message.id}`)
      .set('Authorization', `Bearer ${tokens[alice]}`)
      .expect(200);
    expect((own.body as { publishState: string }).publishState).toBe('published');
    await msgs().get(`/api/v1/messages/${message.id}`).set('Authorization', `Bearer ${tokens[eve]}`).expect(404);
  });

  it('derives the same conversation id whoever starts it', async () => {
    const a = await msgs()
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${tokens[alice]}`)
      .send({ recipientIds: [bob], body: 'hi' })
      .expect(201);
    const b = await msgs()
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${tokens[bob]}`)
      .send({ recipientIds: [alice], body: 'hey' })
      .expect(201);
    expect(a.body.conversationId).toBe(b.body.conversationId);
    const c = await msgs()
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${tokens[alice]}`)
      .send({ recipientIds: [bob], body: 'topic', conversationId: `project-x-${alice}` })
      .expect(201);
    expect(c.body.conversationId).toBe(`project-x-${alice}`);
  });

  it('answers 401 without a valid token on every endpoint', async () => {
    await msgs()
      .post('/api/v1/messages')
      .send({ recipientIds: [bob], body: 'hi' })
      .expect(401);
    await msgs().get('/api/v1/messages/6b0528fc3be48ad755678066').expect(401);
    await inbox().get('/api/v1/notifications').expect(401);
    await inbox().get('/api/v1/notifications').set('Authorization', 'Bearer not.a.jwt').expect(401);
    const res = await inbox().get('/api/v1/notifications').set('Authorization', 'Basic abc').expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('answers 404 for a malformed or unknown message id, never 500', async () => {
    for (const id of ['zzz', '123', '6b0528fc3be48ad755678066', '%24where', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) {
      await msgs().get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${tokens[alice]}`).expect(404);
    }
  });

  it.each([
    ['recipientIds', { body: 'hi' }],
    ['recipientIds', { recipientIds: [], body: 'hi' }],
    ['recipientIds', { recipientIds: 'bob', body: 'hi' }],
    ['recipientIds', { recipientIds: [42], body: 'hi' }],
    ['recipientIds', { recipientIds: ['bob', 'bob'], body: 'hi' }],
    ['recipientIds', { recipientIds: Array.from({ length: 101 }, (_, i) => `u${i}`), body: 'hi' }],
    ['recipientIds', { recipientIds: ['has space'], body: 'hi' }],
    ['body', { recipientIds: ['bob'] }],
    ['body', { recipientIds: ['bob'], body: '' }],
    ['body', { recipientIds: ['bob'], body: 'x'.repeat(4001) }],
    ['body', { recipientIds: ['bob'], body: { $gt: '' } }],
    ['conversationId', { recipientIds: ['bob'], body: 'hi', conversationId: 'bad id!' }],
    ['conversationId', { recipientIds: ['bob'], body: 'hi', conversationId: 7 }],
    ['senderId', { recipientIds: ['bob'], body: 'hi', senderId: 'mallory' }],
  ])('400 naming %s (case %#)', async (field, payload) => {
    const res = await msgs()
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${tokens[alice]}`)
      .send(payload)
      .expect(400);
    expect(res.body.statusCode).toBe(400);
    expect(res.body.message).toContain(field);
    expect((res.body.details as Array<{ field: string }>).map((d) => d.field)).toContain(field);
  });

  it('counts the published events and serves the outbox backlog on GET /metrics', async () => {
    // Each in-process app has its own registry: these are this file's publishes only.
    const text = (await msgs().get('/metrics').expect(200)).text;
    const published = /^herald_events_published_total\{[^}]*topic="message\.created"[^}]*\} (\d+)$/m.exec(text);
    expect(Number(published?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^herald_outbox_backlog\{app="messages"\} \d+$/m);
  });

  it('shows consumer group "notifications" with every message.created partition assigned', async () => {
    const admin = new Kafka({ clientId: 'e2e-admin', brokers: testServers().KAFKA_BROKERS.split(',') }).admin();
    await admin.connect();
    try {
      const partitions = (await admin.fetchTopicMetadata({ topics: [Topics.MessageCreated] })).topics[0].partitions.map(
        (p) => p.partitionId,
      );
      const group = await waitFor(
        async () => (await admin.describeGroups([NOTIFICATIONS_GROUP_ID])).groups[0],
        (g) => g.state === 'Stable' && g.members.length > 0,
        { what: 'a stable notifications group' },
      );
      expect(group.groupId).toBe('notifications');
      expect(group.protocolType).toBe('consumer');
      const assigned = group.members.flatMap((m) => {
        const a = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
        return a?.assignment[Topics.MessageCreated] ?? [];
      });
      expect(assigned.sort()).toEqual(partitions.sort());
    } finally {
      await admin.disconnect();
    }
  });

  it('counts published events, consumed records and stored notifications in /metrics', async () => {
    const value = (text: string, name: string): number =>
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'gm'))].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    const published = value((await msgs().get('/metrics').expect(200)).text, 'herald_events_published_total');
    expect(published).toBeGreaterThan(0);
    const consumer = await waitFor(
      async () => (await inbox().get('/metrics').expect(200)).text,
      (text) => value(text, 'herald_events_consumed_total') > 0 && value(text, 'herald_notifications_stored_total') > 0,
      { what: 'consumer counters above 0' },
    );
    expect(consumer).toMatch(/^herald_consumer_lag\{[^}]*topic="message.created"/m);
  });
});
