import { randomUUID } from 'node:crypto';
import { Model, Types } from 'mongoose';
import request from 'supertest';
import { getModelToken } from '@nestjs/mongoose';
import { decodeEvent, MessageCreatedEvent, MessageCreatedEventV1, NotificationTypes, Topics } from '@herald/contracts';
import {
  PREFERENCE_LONE_READS_MAX,
  PreferenceRepository,
} from '../../apps/notifications/src/dal/preferences/preference.repository';
import { UserPreferences } from '../../apps/notifications/src/dal/preferences/user-preferences';
import { foldKey } from '../../apps/notifications/src/consumer/digest-plan';
import { MARKER_LONE_READS_MAX, NotificationWriter } from '../../apps/notifications/src/consumer/notification.writer';
import { DigestFold } from '../../apps/notifications/src/dal/digest-folds/digest-fold.schema';
import { Notification } from '../../apps/notifications/src/dal/notifications/notification.schema';
import { InboxBucketDirectory } from '../../apps/notifications/src/inbox/inbox-bucket.directory';
import { notificationsSettings } from '../../apps/notifications/src/notifications.settings';
import { startApps, RunningApps } from '../support/apps';
import { isolatedGroup, IsolatedGroup } from '../support/consumer-group';
import { uniqueUser } from '../support/env';
import { waitForNotificationsReady } from '../support/group-readiness';
import { scanTopic, testKafka, testProducer, topicEnds } from '../support/kafka-probe';
import { openSse, SseClient } from '../support/sse';
import { waitFor } from '../support/wait';

type View = {
  id: string;
  type: string;
  eventId: string;
  count: number;
  senderIds: string[];
  preview: string;
  conversationId: string;
  readAt: string | null;
};

/**
 * Notification policy (issue #15) on the real servers: preferences checked at consume time, digest
 * of bursts, mentions, and `message.created` v1/v2 side by side. The app consumes in a group of its
 * own, positioned at the topic's end, so nothing else's backlog is ahead of this file's events.
 */
describe('notification policy: preferences, digests, mentions, versions (real Kafka + MongoDB-wire server)', () => {
  let apps: RunningApps;
  let group: IsolatedGroup;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    group = await isolatedGroup('policy', Topics.MessageCreated);
    apps = await startApps({ ...group.env, DIGEST_WINDOW_MS: '60000' }, true);
    await waitForNotificationsReady(group.groupId, [apps.notifications]);
  }, 240_000);
  afterAll(async () => {
    await apps?.close();
    await group?.release();
  });

  const users = async (...names: string[]): Promise<string[]> => {
    const ids = names.map(uniqueUser);
    for (const id of ids) tokens.set(id, await apps.token(id));
    return ids;
  };
  const auth = (user: string) => ({ Authorization: `Bearer ${tokens.get(user)}` });
  const inbox = () => request(apps.notifications.getHttpServer());
  const send = async (from: string, to: string[], body: string, conversationId?: string) =>
    (
      await request(apps.messages.getHttpServer())
        .post('/api/v1/messages')
        .set(auth(from))
        .send({ recipientIds: to, body, ...(conversationId ? { conversationId } : {}) })
        .expect(201)
    ).body as { id: string; conversationId: string };
  const list = async (user: string): Promise<View[]> =>
    (await inbox().get('/api/v1/notifications').set(auth(user)).expect(200)).body.data;
  const unread = async (user: string) =>
    (await inbox().get('/api/v1/notifications/count?read=false').set(auth(user)).expect(200)).body as { count: number };
  const until = (user: string, done: (l: View[]) => boolean, what: string) =>
    waitFor(() => list(user), done, { what, timeoutMs: 60_000 });
  const put = (user: string, path: string, body: unknown) =>
    inbox()
      .put(`/api/v1/preferences/${path}`)
      .set(auth(user))
      .send(body as object);

  describe('preferences API', () => {
    it('answers the defaults, stores a mute and a type, and lists them', async () => {
      const [bob] = await users('bob');
      expect((await inbox().get('/api/v1/preferences').set(auth(bob)).expect(200)).body).toEqual({
        conversations: [],
        types: [
          { type: 'message.created', enabled: true },
          { type: 'message.mentioned', enabled: true },
        ],
      });
      await put(bob, 'conversations/c.1', { muted: true }).expect(200);
      await put(bob, 'conversations/c.2', { muted: true, until: '2999-01-01T00:00:00.000Z' }).expect(200);
      await put(bob, 'conversations/c.3', { muted: true, until: '2000-01-01T00:00:00.000Z' }).expect(200);
      await put(bob, 'conversations/c.2', { muted: false }).expect(200);
      const res = await put(bob, 'types/message.mentioned', { enabled: false }).expect(200);
      expect(res.body).toEqual({
        conversations: [{ conversationId: 'c.1', muted: true, until: null }],
        types: [
          { type: 'message.created', enabled: true },
          { type: 'message.mentioned', enabled: false },
        ],
      });
      expect((await inbox().get('/api/v1/preferences').set(auth(bob)).expect(200)).body).toEqual(res.body);
    });

    it.each([
      ['muted', 'conversations/c1', {}],
      ['muted', 'conversations/c1', { muted: 'yes' }],
      ['until', 'conversations/c1', { muted: true, until: 'tomorrow' }],
      ['until', 'conversations/c1', { muted: false, until: '2999-01-01T00:00:00Z' }],
      ['conversationId', 'conversations/bad%20id', { muted: true }],
      ['type', 'types/message.deleted', { enabled: false }],
      ['enabled', 'types/message.created', { enabled: 1 }],
    ])('400 naming %s (case %#)', async (field, path, body) => {
      const [bob] = await users('bob');
      const res = await put(bob, path, body).expect(400);
      expect(res.body.message).toContain(field);
      expect((res.body.details as Array<{ field: string }>).map((d) => d.field)).toContain(field);
    });

    it('answers 401 without a token', async () => {
      await inbox().get('/api/v1/preferences').expect(401);
      await inbox().put('/api/v1/preferences/types/message.created').send({ enabled: false }).expect(401);
    });
  });

  describe('at consume time', () => {
    it('a muted conversation gives no notification; the message itself is unaffected', async () => {
      const [alice, bob, carol] = await users('alice', 'bob', 'carol');
      const conversationId = `mute-${alice}`;
      await put(bob, `conversations/${conversationId}`, { muted: true }).expect(200);
      const msg = await send(alice, [bob, carol], 'muted for bob', conversationId);
      await until(carol, (l) => l.length === 1, "carol's notification"); // same event, same store: bob's would be there too
      expect(await list(bob)).toEqual([]);
      const history = await request(apps.messages.getHttpServer())
        .get(`/api/v1/conversations/${conversationId}/messages`)
        .set(auth(bob))
        .expect(200);
      expect(history.body.data.map((m: { id: string }) => m.id)).toContain(msg.id);
    });

    it('a mute with until ends then: messages after it notify again', async () => {
      const [alice, bob, carol] = await users('alice', 'bob', 'carol');
      const conversationId = `until-${alice}`;
      const end = new Date(Date.now() + 1500);
      await put(bob, `conversations/${conversationId}`, { muted: true, until: end.toISOString() }).expect(200);
      await send(alice, [bob, carol], 'during the mute', conversationId);
      await until(carol, (l) => l.length === 1, "carol's first notification");
      await new Promise((r) => setTimeout(r, Math.max(0, end.getTime() - Date.now() + 100)));
      await send(alice, [bob, carol], 'after the mute', conversationId);
      const got = await until(bob, (l) => l.length >= 1, "bob's notification after the mute");
      expect(got.map((n) => n.preview)).toEqual(['after the mute']);
    });

    it('a disabled type gives no notification of that type, in any conversation', async () => {
      const [alice, bob, carol] = await users('alice', 'bob', 'carol');
      await put(bob, 'types/message.created', { enabled: false }).expect(200);
      await send(alice, [bob, carol], 'type off for bob');
      await until(carol, (l) => l.length === 1, "carol's notification");
      expect(await list(bob)).toEqual([]);
    });

    it('a mention breaks through a mute as message.mentioned, unless message.mentioned is off', async () => {
      const [alice, bob, carol, dave] = await users('alice', 'bob', 'carol', 'dave');
      const conversationId = `mention-${alice}`;
      for (const u of [bob, dave]) await put(u, `conversations/${conversationId}`, { muted: true }).expect(200);
      await put(dave, 'types/message.mentioned', { enabled: false }).expect(200);
      await send(alice, [bob, carol, dave], `look @${bob} and @${dave}.`, conversationId);
      const [n] = await until(bob, (l) => l.length === 1, "bob's mention");
      expect(n.type).toBe('message.mentioned');
      expect((await list(carol)).map((x) => x.type)).toEqual(['message.created']);
      expect(await list(dave)).toEqual([]);
    });

    it('reads the preferences of a batch by lone _id up to PREFERENCE_LONE_READS_MAX users and with one $in above: same answers', async () => {
      const repo = apps.notifications.get(PreferenceRepository);
      const ids = Array.from({ length: PREFERENCE_LONE_READS_MAX + 8 }, (_, i) => uniqueUser(`pref${i}`));
      for (const [i, id] of ids.entries()) {
        if (i % 3 === 0) await repo.setType(id, NotificationTypes.MessageCreated, false);
        else if (i % 3 === 1) await repo.setConversation(id, `c-${id}`, true, null);
      } // every third user has no document
      const summary = (m: Map<string, UserPreferences>) =>
        [...m].map(([id, p]) => [id, p.isEnabled(NotificationTypes.MessageCreated), p.isMuted(`c-${id}`, new Date())]);
      const few = ids.slice(0, 6);
      const all = [...ids, uniqueUser('nobody'), ids[0]]; // above the threshold, with a duplicate
      const byLone = await repo.forUsers(few);
      const byIn = await repo.forUsers(all);
      expect(few.length).toBeLessThanOrEqual(PREFERENCE_LONE_READS_MAX);
      expect(new Set(all).size).toBeGreaterThan(PREFERENCE_LONE_READS_MAX);
      const expected = (list: string[]) =>
        list
          .map((id, i) => [id, i % 3] as const)
          .filter(([, k]) => k !== 2)
          .map(([id, k]) => [id, k !== 0, k === 1]);
      expect(summary(byLone)).toEqual(expected(few));
      expect(summary(byIn).sort()).toEqual(expected(ids).sort());
    });
  });

  describe('digest of bursts', () => {
    let sse: SseClient | undefined;
    afterAll(() => sse?.close());

    it('folds a burst into one unread notification: count, latest preview, senders; unread count 1; pushes notification.updated', async () => {
      const [alice, bob, carol] = await users('alice', 'bob', 'carol');
      const conversationId = `burst-${alice}`;
      sse = await openSse(
        `${await apps.notifications.getUrl()}/api/v1/notifications/stream?access_token=${tokens.get(bob)}`,
      );
      await send(alice, [bob, carol], 'one', conversationId);
      await until(bob, (l) => l.length === 1, 'the first notification');
      await send(carol, [bob, alice], 'two', conversationId);
      await send(alice, [bob, carol], 'three', conversationId);
      const [n] = await until(bob, (l) => l[0]?.count === 3, 'a digest of 3');
      expect(await list(bob)).toHaveLength(1);
      expect(n).toMatchObject({ type: 'message.created', count: 3, preview: 'three', conversationId });
      expect([...n.senderIds].sort()).toEqual([alice, carol].sort());
      expect((await unread(bob)).count).toBe(1);
      const updates = await waitFor(
        async () => sse!.events.filter((e) => e.event === 'notification.updated'),
        (u) => u.some((e) => e.data.count === 3),
        { what: 'notification.updated with count 3', timeoutMs: 60_000 },
      );
      expect(updates.every((e) => e.data.id === n.id && e.id === undefined)).toBe(true);
      expect(sse.events.filter((e) => e.event === 'notification.created').map((e) => e.id)).toEqual([n.id]);
    });

    it('reading the notification ends the burst: the next message starts a new one', async () => {
      const [alice, bob] = await users('alice', 'bob');
      const conversationId = `read-${alice}`;
      await send(alice, [bob], 'first', conversationId);
      const [first] = await until(bob, (l) => l.length === 1, 'the first notification');
      await inbox().patch(`/api/v1/notifications/${first.id}`).set(auth(bob)).send({ read: true }).expect(200);
      await send(alice, [bob], 'second', conversationId);
      const l = await until(bob, (x) => x.length === 2, 'a second notification');
      expect(l.map((x) => [x.preview, x.count])).toEqual([
        ['second', 1],
        ['first', 1],
      ]);
    });

    it('a redelivered folded event neither adds a notification nor counts twice, also after the burst was read', async () => {
      const [alice, bob] = await users('alice', 'bob');
      const conversationId = `redeliver-${alice}`;
      const events = ['r1', 'r2', 'r3'].map((body) => v2Event(alice, [bob], conversationId, body));
      const producer = await testProducer();
      try {
        const publish = (list: typeof events) =>
          producer.send({
            topic: Topics.MessageCreated,
            messages: list.map((e) => ({ key: conversationId, value: JSON.stringify(e) })),
          });
        await publish(events);
        const [n] = await until(bob, (l) => l[0]?.count === 3, 'a digest of 3');
        await publish([...events].reverse()); // a redelivery, in any order
        await publish(events);
        // A marker is written for r1 neither: it is the head. Wait until these records were consumed.
        await waitFor(() => groupDone(group.groupId), Boolean, {
          what: 'the redelivered records consumed',
          timeoutMs: 60_000,
        });
        expect((await list(bob)).map((x) => [x.id, x.count])).toEqual([[n.id, 3]]);
        await inbox().patch(`/api/v1/notifications/${n.id}`).set(auth(bob)).send({ read: true }).expect(200);
        await publish(events);
        await waitFor(() => groupDone(group.groupId), Boolean, {
          what: 'the redelivery after the read consumed',
          timeoutMs: 60_000,
        });
        expect((await list(bob)).map((x) => [x.id, x.count])).toEqual([[n.id, 3]]);
      } finally {
        await producer.disconnect();
      }
    });
  });

  describe('fold markers read by lone _id and by minute bucket', () => {
    const decoded = (plain: object): MessageCreatedEvent => {
      const d = decodeEvent(MessageCreatedEvent, JSON.stringify(plain));
      if (!d.ok) throw new Error(d.message);
      return d.event;
    };

    it('a replayed fold planned into a newer open head goes back to the head its marker names, learned from the marker insert', async () => {
      const writer = apps.notifications.get(NotificationWriter);
      const [alice, bob] = await users('alice', 'bob');
      const conversationId = `learned-${alice}`;
      const [r1, r2, r3, r4] = ['l1', 'l2', 'l3', 'l4'].map((body) =>
        decoded(v2Event(alice, [bob], conversationId, body)),
      );
      const first = await writer.store([r1, r2, r3]);
      const head = first.inserted[0]._id.toHexString();
      expect(first.updated.map((u) => [u._id.toHexString(), u.count])).toEqual([[head, 3]]);
      await inbox().patch(`/api/v1/notifications/${head}`).set(auth(bob)).send({ read: true }).expect(200);
      expect((await writer.store([r4])).inserted).toHaveLength(1); // a new burst, its head open and known
      const again = await writer.store([r2, r3]); // folds republished (outbox relay) into that burst's time
      expect(again.inserted).toHaveLength(0);
      expect(again.updated.map((u) => [u._id.toHexString(), u.count])).toEqual([[head, 3]]);
      expect((await list(bob)).map((x) => [x.preview, x.count])).toEqual([
        ['l4', 1],
        ['l3', 3],
      ]);
    });

    it('folds that find their head read become notifications of their own, once, also when replayed; the burst goes on from the latest', async () => {
      const writer = apps.notifications.get(NotificationWriter);
      const markers = apps.notifications.get<Model<DigestFold>>(getModelToken(DigestFold.name), { strict: false });
      const [alice, bob] = await users('alice', 'bob');
      const conversationId = `stray-${alice}`;
      const [a, b, c, d] = ['s1', 's2', 's3', 's4'].map((body) => decoded(v2Event(alice, [bob], conversationId, body)));
      const head = (await writer.store([a])).inserted[0]._id;
      await inbox()
        .patch(`/api/v1/notifications/${head.toHexString()}`)
        .set(auth(bob))
        .send({ read: true })
        .expect(200);
      const split = await writer.store([b, c]); // planned into the known head, which is read by now
      expect(split.inserted.map((n) => n.preview)).toEqual(['s2', 's3']);
      expect((await writer.store([d])).updated.map((u) => [u.preview, u.count])).toEqual([['s4', 2]]);
      // A replay, also one whose marker still names the read head (a crash between detach's two writes).
      await markers.collection.updateOne({ _id: foldKey(b.eventId, bob) } as object, { $set: { n: head } });
      const again = await writer.store([b, c]);
      expect(again.inserted).toHaveLength(0);
      expect((await list(bob)).map((x) => [x.preview, x.count, x.readAt !== null])).toEqual([
        ['s4', 2, false],
        ['s2', 1, false],
        ['s1', 1, true],
      ]);
      // Marked unread again, the first head is open, yet a replay of a message it never held stays out.
      await inbox()
        .patch(`/api/v1/notifications/${head.toHexString()}`)
        .set(auth(bob))
        .send({ read: false })
        .expect(200);
      expect((await writer.store([c])).inserted).toHaveLength(0);
      expect((await list(bob)).map((x) => [x.preview, x.count])).toEqual([
        ['s4', 2],
        ['s2', 1],
        ['s1', 1],
      ]);
    });

    it("a batch replayed whole counts nothing twice: learned from the markers' insert while its head is known, read below MARKER_LONE_READS_MAX keys (lone reads) and above (buckets) after a restart", async () => {
      const writer = apps.notifications.get(NotificationWriter);
      // A writer as after a restart: it knows no head, so it reads the markers of the whole batch.
      const restarted = () =>
        new NotificationWriter(
          apps.notifications.get(getModelToken(Notification.name), { strict: false }),
          apps.notifications.get(getModelToken(DigestFold.name), { strict: false }),
          apps.notifications.get(InboxBucketDirectory, { strict: false }),
          apps.notifications.get(PreferenceRepository, { strict: false }),
          apps.notifications.get(notificationsSettings.KEY, { strict: false }),
        );
      const [alice, bob] = await users('alice', 'bob');
      const sizes = { lone: 5, bucket: MARKER_LONE_READS_MAX + 20 };
      for (const [tag, n] of Object.entries(sizes)) {
        const conversationId = `markers-${tag}-${alice}`;
        const events = Array.from({ length: n }, (_, i) =>
          decoded(v2Event(alice, [bob], conversationId, `${tag} ${i}`)),
        );
        const source = { partition: `${Topics.MessageCreated}/replay-${tag}`, firstOffset: 0, lastOffset: n - 1 };
        const first = await writer.store(events, source);
        expect([tag, first.inserted.length, first.updated.map((u) => u.count)]).toEqual([tag, 1, [n]]);
        const again = await writer.store(events, source); // a redelivery of the whole batch
        expect([tag, again.inserted.length, again.updated.map((u) => u.count)]).toEqual([tag, 0, [n]]);
        const later = await restarted().store(events, source);
        expect([tag, later.inserted.length, later.updated.map((u) => u.count)]).toEqual([tag, 0, [n]]);
      }
      const l = await list(bob);
      expect(l.map((x) => [x.conversationId, x.count]).sort()).toEqual(
        Object.entries(sizes)
          .map(([tag, n]) => [`markers-${tag}-${alice}`, n])
          .sort(),
      );
    });
  });

  describe('message.created v1 and v2 on one topic (a rolling deploy)', () => {
    it('the current consumer stores interleaved v1 and v2 records; a consumer built with the v1 contract reads them all, none rejected', async () => {
      const [alice, bob] = await users('alice', 'bob');
      const from = await topicEnds(Topics.MessageCreated);
      const dlqFrom = await topicEnds(Topics.MessageCreatedDlq);
      const events = Array.from({ length: 6 }, (_, i) => {
        const e = v2Event(alice, [bob], `versions-${i}-${alice}`, i % 2 === 0 ? `v1 number ${i}` : `v2 @${bob} ${i}`, [
          bob,
        ]);
        if (i % 2 === 0) {
          const { mentions: _none, ...v1data } = e.data;
          return { ...e, version: 1, data: v1data };
        }
        return e;
      });
      const producer = await testProducer();
      try {
        await producer.send({
          topic: Topics.MessageCreated,
          messages: events.map((e) => ({ key: e.data.conversationId, value: JSON.stringify(e) })),
        });
      } finally {
        await producer.disconnect();
      }
      const stored = await until(bob, (l) => l.length === 6, 'six notifications');
      const byEvent = new Map(stored.map((n) => [n.eventId, n.type]));
      expect(events.map((e) => byEvent.get(e.eventId))).toEqual(
        events.map((e) => (e.version === 1 ? 'message.created' : 'message.mentioned')),
      );

      // The v1-only contract, as an instance deployed before v2 decodes: every record accepted, mentions stripped.
      const records = await scanTopic(Topics.MessageCreated, from, (r) => !!r.value && r.value.includes(alice));
      expect(records).toHaveLength(6);
      const decoded = records.map((r) => decodeEvent(MessageCreatedEventV1, r.value));
      expect(decoded.map((d) => d.ok)).toEqual(records.map(() => true));
      for (const d of decoded) if (d.ok) expect(Object.keys(d.event.data)).not.toContain('mentions');
      expect(
        await scanTopic(Topics.MessageCreatedDlq, dlqFrom, (r) => !!r.value && r.value.includes(alice), 30_000),
      ).toEqual([]);
    });
  });
});

/** A `message.created` v2 envelope as the messages app writes it (a fresh message id and event id). */
function v2Event(
  senderId: string,
  recipientIds: string[],
  conversationId: string,
  body: string,
  mentions: string[] = [],
) {
  const now = new Date().toISOString();
  return {
    eventId: randomUUID(),
    type: 'message.created',
    version: 2,
    occurredAt: now,
    data: {
      messageId: new Types.ObjectId().toHexString(),
      conversationId,
      senderId,
      recipientIds,
      body,
      createdAt: now,
      mentions,
    },
  };
}

/** True when group `groupId` has committed everything on `message.created` (lag 0). */
async function groupDone(groupId: string): Promise<boolean> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const ends = new Map(
      (await admin.fetchTopicOffsets(Topics.MessageCreated)).map((p) => [p.partition, Number(p.high)]),
    );
    const [committed] = await admin.fetchOffsets({ groupId, topics: [Topics.MessageCreated] });
    return committed.partitions.every((p) => Number(p.offset) >= (ends.get(p.partition) ?? 0));
  } finally {
    await admin.disconnect();
  }
}
