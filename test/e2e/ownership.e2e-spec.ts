import { getModelToken } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { Notification } from '../../apps/notifications/src/dal/notifications/notification.schema';
import { NotificationBroadcastConsumer } from '../../apps/notifications/src/push/notification-broadcast.consumer';
import { deriveConversationId } from '../../apps/messages/src/messages/conversation-id';
import { Message } from '../../apps/messages/src/dal/messages/message.schema';
import { toMessageCreatedRecord } from '../../apps/messages/src/outbox/message-created.mapper';
import { ConversationProjector } from '../../apps/messages/src/conversations/conversation.projector';
import { MessageCreatedEvent } from '@herald/contracts';
import { uniqueUser } from '../support/env';
import { bearer, hs256, HttpApps, startHttpApps } from '../support/security';
import { openSse, SseClient } from '../support/sse';
import { waitFor } from '../support/wait';

/**
 * Object-level authorisation (OWASP API Security Top 10 2023, API1 "BOLA"): on every route that
 * reads or changes a user's data, a second user gets exactly what a missing resource gives — 404
 * (never 403, which would confirm the resource exists) — and nothing changes.
 */
describe('a user reaches only their own data', () => {
  let apps: HttpApps;
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const mallory = uniqueUser('mallory');
  const token: Record<string, string> = {};
  let messageId: string;
  let conversationId: string;
  let notificationId: string;
  const streams: SseClient[] = [];

  const m = (method: 'GET' | 'POST', url: string, user: string, payload?: object) =>
    apps.messages.inject({ method, url, headers: bearer(token[user]), ...(payload ? { payload } : {}) });
  const n = (method: 'GET' | 'POST' | 'PATCH', url: string, user: string, payload?: object) =>
    apps.notifications.inject({ method, url, headers: bearer(token[user]), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    apps = await startHttpApps({}, true);
    for (const u of [alice, bob, mallory]) token[u] = await hs256(u);
    const sent = await m('POST', '/api/v1/messages', alice, { recipientIds: [bob], body: 'for bob only' });
    expect(sent.statusCode).toBe(201);
    ({ id: messageId, conversationId } = sent.json());
    // The inbox is fed by Kafka; these tests are about HTTP, so bob's notification is stored directly.
    const notifications = apps.notifications.get<Model<Notification>>(getModelToken(Notification.name));
    const doc = await notifications.create({
      recipientId: bob,
      type: 'message.created',
      eventId: randomUUID(),
      messageId,
      conversationId,
      senderId: alice,
      preview: 'for bob only',
      createdAt: new Date(),
      storedAt: new Date(),
    });
    notificationId = doc._id.toHexString();
    // Likewise the conversation summary (the `conversations` group's projection): projected directly.
    const stored = await apps.messages
      .get<Model<Message>>(getModelToken(Message.name))
      .findById(messageId)
      .orFail()
      .exec();
    await apps.messages
      .get(ConversationProjector)
      .project([toMessageCreatedRecord(stored).value as MessageCreatedEvent]);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    await apps?.close();
  });

  describe('messages app', () => {
    it('GET /messages/:id: sender and recipient 200, anyone else 404 like a missing id', async () => {
      expect((await m('GET', `/api/v1/messages/${messageId}`, alice)).statusCode).toBe(200);
      expect((await m('GET', `/api/v1/messages/${messageId}`, bob)).statusCode).toBe(200);
      const other = await m('GET', `/api/v1/messages/${messageId}`, mallory);
      const missing = await m('GET', `/api/v1/messages/${new Types.ObjectId().toHexString()}`, mallory);
      expect(other.statusCode).toBe(404);
      expect(other.json()).toEqual(missing.json());
    });

    it('GET /conversations lists only conversations the user takes part in', async () => {
      const ids = async (u: string) =>
        ((await m('GET', '/api/v1/conversations?limit=100', u)).json().data as Array<{ id: string }>).map((c) => c.id);
      expect(await ids(alice)).toContain(conversationId);
      expect(await ids(bob)).toContain(conversationId);
      expect(await ids(mallory)).not.toContain(conversationId);
    });

    it('GET /conversations/:id/messages: participants 200, anyone else 404 (with and without a cursor)', async () => {
      expect((await m('GET', `/api/v1/conversations/${conversationId}/messages`, bob)).statusCode).toBe(200);
      const other = await m('GET', `/api/v1/conversations/${conversationId}/messages`, mallory);
      const missing = await m('GET', `/api/v1/conversations/no-such-conversation/messages`, mallory);
      expect(other.statusCode).toBe(404);
      expect(other.json()).toEqual(missing.json());
      const paged = await m(
        'GET',
        `/api/v1/conversations/${conversationId}/messages?after=${new Types.ObjectId().toHexString()}`,
        mallory,
      );
      expect(paged.statusCode).toBe(404);
    });

    it('the sender is always the token subject: a body senderId is refused', async () => {
      const res = await m('POST', '/api/v1/messages', mallory, { recipientIds: [bob], body: 'spoof', senderId: alice });
      expect(res.statusCode).toBe(400);
      expect(res.json().details).toEqual([{ field: 'senderId', errors: ['property senderId should not exist'] }]);
    });

    it('nobody can post into a direct conversation of others (its id is computable) → 400', async () => {
      const theirs = deriveConversationId(alice, [bob]);
      const res = await m('POST', '/api/v1/messages', mallory, {
        recipientIds: [alice],
        body: 'let me in',
        conversationId: theirs,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().details[0].field).toBe('conversationId');
    });

    it('nobody can post into a named conversation they take no part in → 404, and it stays hidden', async () => {
      const named = `team-${randomUUID().slice(0, 8)}`;
      expect(
        (
          await m('POST', '/api/v1/messages', alice, {
            recipientIds: [bob],
            body: 'secret plan',
            conversationId: named,
          })
        ).statusCode,
      ).toBe(201);
      const res = await m('POST', '/api/v1/messages', mallory, {
        recipientIds: [alice],
        body: 'let me in',
        conversationId: named,
      });
      expect(res.statusCode).toBe(404);
      const list = (await m('GET', '/api/v1/conversations?limit=100', mallory)).json().data as Array<{ id: string }>;
      expect(list.map((c) => c.id)).not.toContain(named);
      // A participant may keep writing (and add people) in it.
      expect(
        (await m('POST', '/api/v1/messages', bob, { recipientIds: [alice], body: 'ok', conversationId: named }))
          .statusCode,
      ).toBe(201);
    });
  });

  describe('notifications app', () => {
    it('GET /notifications: the owner sees it, nobody else does', async () => {
      const ids = async (u: string) =>
        ((await n('GET', '/api/v1/notifications?limit=100', u)).json().data as Array<{ id: string }>).map((x) => x.id);
      expect(await ids(bob)).toContain(notificationId);
      expect(await ids(mallory)).not.toContain(notificationId);
      expect(await ids(alice)).not.toContain(notificationId);
    });

    it('GET /notifications/count counts only the caller’s', async () => {
      expect((await n('GET', '/api/v1/notifications/count?read=false', bob)).json()).toEqual({
        count: 1,
        capped: false,
      });
      expect((await n('GET', '/api/v1/notifications/count?read=false', mallory)).json()).toEqual({
        count: 0,
        capped: false,
      });
    });

    it('PATCH /notifications/:id by another user → 404 like a missing id, and nothing changes', async () => {
      const other = await n('PATCH', `/api/v1/notifications/${notificationId}`, mallory, {
        read: true,
        archived: true,
      });
      const missing = await n('PATCH', `/api/v1/notifications/${new Types.ObjectId().toHexString()}`, mallory, {
        read: true,
      });
      expect(other.statusCode).toBe(404);
      expect(other.json()).toEqual(missing.json());
      const mine = (await n('GET', '/api/v1/notifications', bob))
        .json()
        .data.find((x: { id: string }) => x.id === notificationId);
      expect(mine).toMatchObject({ readAt: null, archivedAt: null });
    });

    it('POST /notifications/read-all touches only the caller’s inbox', async () => {
      expect((await n('POST', '/api/v1/notifications/read-all', mallory, { conversationId })).json()).toEqual({
        updated: 0,
      });
      expect((await n('GET', '/api/v1/notifications/count?read=false', bob)).json()).toEqual({
        count: 1,
        capped: false,
      });
    });

    it('GET /notifications/stream: a stream carries only its own user’s events and replay', async () => {
      const url = `${await apps.notifications.getUrl()}/api/v1/notifications/stream`;
      const before = new Types.ObjectId(Math.floor(Date.now() / 1000) - 3600).toHexString();
      const bobs = await openSse(url, { ...bearer(token[bob]), 'last-event-id': before });
      const mallorys = await openSse(`${url}?access_token=${token[mallory]}`, { 'last-event-id': before });
      streams.push(bobs, mallorys);
      expect([bobs.status, mallorys.status]).toEqual([200, 200]);
      await waitFor(
        async () => bobs.events.length + mallorys.events.length,
        (k) => k >= 3,
        { what: 'replay and counts' },
      );
      expect(bobs.events.find((e) => e.event === 'notification.created')?.id).toBe(notificationId);
      expect(mallorys.events.map((e) => e.event)).toEqual(['unread-count.changed']);
      expect(mallorys.events[0].data).toEqual({ count: 0, capped: false });

      // A live notification for bob reaches bob's stream only.
      const live = new Types.ObjectId().toHexString();
      const record = {
        eventId: randomUUID(),
        type: 'notification.created',
        version: 1,
        occurredAt: new Date().toISOString(),
        data: {
          id: live,
          recipientId: bob,
          type: 'message.created',
          sourceEventId: randomUUID(),
          messageId,
          conversationId,
          senderId: alice,
          preview: 'live',
          createdAt: new Date().toISOString(),
        },
      };
      await apps.notifications.get(NotificationBroadcastConsumer).deliver(Buffer.from(JSON.stringify(record)));
      await waitFor(async () => bobs.events.some((e) => e.id === live), Boolean, { what: 'live event at bob' });
      await new Promise((r) => setTimeout(r, 300));
      expect(mallorys.events.some((e) => e.event === 'notification.created')).toBe(false);
    });

    it('GET /notifications/stream without a valid token → 401', async () => {
      const url = `${await apps.notifications.getUrl()}/api/v1/notifications/stream`;
      const none = await openSse(url);
      const forged = await openSse(`${url}?access_token=${await hs256(bob, { secret: 'another-secret-of-16+chars' })}`);
      streams.push(none, forged);
      expect([none.status, forged.status]).toEqual([401, 401]);
    });
  });
});
