import { getModelToken } from '@nestjs/mongoose';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Model, mongo, Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { Topics } from '@herald/contracts';
import { HeraldMetrics } from '@herald/observability';
import { createMessagesApp } from '../../apps/messages/src/bootstrap';
import { IdempotencyService } from '../../apps/messages/src/messages/idempotency.service';
import { MessageGroupCommit } from '../../apps/messages/src/messages/message-group-commit';
import { StoredMessage } from '../../apps/messages/src/dal/messages/message.schema';
import { DocumentWriteError, MessageRepository } from '../../apps/messages/src/dal/messages/message.repository';
import { OutboxRepository } from '../../apps/messages/src/dal/outbox/outbox.repository';
import { OutboxEntry } from '../../apps/messages/src/dal/outbox/outbox-entry.schema';
import { appEnv, uniqueUser } from '../support/env';
import { hs256, bearer } from '../support/jwt';
import { Offsets, scanTopic, topicEnds } from '../support/kafka-probe';
import { waitFor } from '../support/wait';

/** Count and sum of the group-commit size histogram. */
async function groupCommits(metrics: HeraldMetrics): Promise<{ count: number; sum: number }> {
  const h = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'herald_group_commit_messages');
  const value = (suffix: string): number =>
    (h?.values as Array<{ metricName?: string; value: number }> | undefined)?.find(
      (v) => v.metricName === `herald_group_commit_messages_${suffix}`,
    )?.value ?? 0;
  return { count: value('count'), sum: value('sum') };
}

/** The write path's group commit against real Kafka and the real MongoDB-wire server. */
describe('group commit (messages app)', () => {
  let app: NestFastifyApplication;
  let commit: MessageGroupCommit;
  let store: MessageRepository;
  let outbox: OutboxRepository;
  let metrics: HeraldMetrics;
  let topicFrom: Offsets;

  beforeAll(async () => {
    // A 50 ms window (the most INGEST_LINGER_MS allows) so that concurrent HTTP requests, each
    // through its own auth and validation first, meet in one group.
    app = await createMessagesApp(appEnv({ INGEST_LINGER_MS: '50' }));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    commit = app.get(MessageGroupCommit);
    store = app.get(MessageRepository);
    outbox = app.get(OutboxRepository);
    metrics = app.get(HeraldMetrics);
    topicFrom = await topicEnds(Topics.MessageCreated);
  });

  afterAll(async () => {
    await app?.close();
  });

  const message = (sender: string, body: string, _id = new Types.ObjectId()): StoredMessage => ({
    _id,
    conversationId: `gc-${sender}`,
    senderId: sender,
    recipientIds: [`${sender}-r`],
    participants: [sender, `${sender}-r`].sort(),
    body,
    createdAt: new Date(),
    eventId: randomUUID(),
  });

  it('stores and publishes concurrent messages as one group; a rejected document fails only its own request', async () => {
    const sender = uniqueUser('gc');
    const taken = message(sender, `${sender} stored before`);
    expect((await store.insertMany([taken])).duplicates.size).toBe(0);
    const before = await groupCommits(metrics);

    const fresh = Array.from({ length: 5 }, (_, i) => message(sender, `${sender} fresh ${i}`));
    const clash = message(sender, `${sender} clash`, taken._id); // same _id as a stored message
    const outcomes = await Promise.allSettled(
      [...fresh.slice(0, 3), clash, ...fresh.slice(3)].map((m) => commit.submit(m)),
    );

    // One group of six: one outbox write, one insertMany, one produce call.
    expect(await groupCommits(metrics)).toEqual({ count: before.count + 1, sum: before.sum + 6 });
    const rejected = outcomes[3];
    expect(rejected.status).toBe('rejected');
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(DocumentWriteError);
    expect(((rejected as PromiseRejectedResult).reason as DocumentWriteError).code).toBe(11000);
    expect(
      outcomes
        .filter((o) => o.status === 'fulfilled')
        .map((o) => (o as PromiseFulfilledResult<{ published: boolean }>).value),
    ).toEqual(Array(5).fill({ published: true }));

    for (const m of fresh) expect((await store.findById(m._id))?.body).toBe(m.body);
    expect((await store.findById(taken._id))?.body).toBe(taken.body); // the clash overwrote nothing
    const events = await scanTopic(
      Topics.MessageCreated,
      topicFrom,
      (r) => r.value !== null && r.value.includes(sender),
    );
    const eventIds = events.map((r) => (JSON.parse(r.value!.toString()) as { eventId: string }).eventId).sort();
    expect(eventIds).toEqual(fresh.map((m) => m.eventId).sort()); // no event for the rejected one
    await waitFor(
      () => outbox.pendingAmong([...fresh, clash].map((m) => m._id)),
      (s) => s.size === 0,
      { what: 'the acknowledged outbox entry deleted' },
    );
  });

  it('answers the POST whose document the server rejects with a 409 naming the clash and the others of its group 201', async () => {
    const sender = uniqueUser('gc-http');
    const headers = { ...bearer(await hs256(sender)), 'content-type': 'application/json' };
    const clashing = { recipientIds: [uniqueUser('gc-bob')], body: `${sender} clashing` };
    const key = `${sender}-k`;
    // The key's identity is reserved, and another document already holds its eventId (unique):
    // the keyed POST's insert is rejected, and it is no replay (no message under its _id).
    const identity = await app.get(IdempotencyService).reserve(sender, key, clashing);
    const holder = { ...message(sender, `${sender} holds the eventId`), eventId: identity.eventId };
    expect((await store.insertMany([holder])).duplicates.size).toBe(0);
    const before = await groupCommits(metrics);

    const post = (payload: object, extra: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: '/api/v1/messages', headers: { ...headers, ...extra }, payload });
    const fresh = Array.from({ length: 5 }, (_, i) => ({
      recipientIds: [`${sender}-r`],
      body: `${sender} fresh ${i}`,
    }));
    // Every POST carries a key, so that each reserves its identity first and they reach the
    // group commit together.
    const answers = await Promise.all([
      ...fresh.slice(0, 2).map((p, i) => post(p, { 'idempotency-key': `${key}-${i}` })),
      post(clashing, { 'idempotency-key': key }),
      ...fresh.slice(2).map((p, i) => post(p, { 'idempotency-key': `${key}-${i + 2}` })),
    ]);

    expect(await groupCommits(metrics)).toEqual({ count: before.count + 1, sum: before.sum + 6 }); // one group
    const rejected = answers[2];
    expect(rejected.statusCode).toBe(409);
    expect(rejected.json()).toMatchObject({ statusCode: 409, message: expect.stringMatching(/already taken/) });
    const created = answers.filter((_, i) => i !== 2);
    expect(created.map((a) => a.statusCode)).toEqual(Array(5).fill(201));
    expect(created.map((a) => a.json().publishState)).toEqual(Array(5).fill('published'));
    expect(created.filter((a) => a.headers['idempotent-replayed'] !== undefined)).toHaveLength(0);
    expect(created.map((a) => a.json().body).sort()).toEqual(fresh.map((f) => f.body).sort());

    expect(await store.findById(identity.messageId)).toBeNull(); // nothing stored for the rejected one
    expect((await store.findById(holder._id))?.body).toBe(holder.body);
    const events = await scanTopic(
      Topics.MessageCreated,
      topicFrom,
      (r) => r.value !== null && r.value.includes(sender),
    );
    const published = events.map(
      (r) => (JSON.parse(r.value!.toString()) as { data: { messageId: string } }).data.messageId,
    );
    expect(published.sort()).toEqual(created.map((a) => a.json().id as string).sort()); // no event for the rejected one
    await waitFor(
      () => outbox.pendingAmong([...created.map((a) => new Types.ObjectId(a.json().id as string)), identity.messageId]),
      (p) => p.size === 0,
      { what: 'the outbox entry of the group deleted' },
    );
  });

  it('completes an outbox entry left before its messages were stored: the relay stores them, then publishes once', async () => {
    const sender = uniqueUser('gc-left');
    const left = [message(sender, `${sender} left 0`), message(sender, `${sender} left 1`)];
    // What a process killed between the group's outbox write and its insertMany leaves behind.
    const entryId = await outbox.add(left, 0);
    const raw = await app
      .get<Model<OutboxEntry>>(getModelToken(OutboxEntry.name))
      .collection.findOne<{ payload?: unknown; messages?: unknown }>({ _id: entryId });
    expect(raw?.payload).toBeInstanceOf(mongo.Binary); // the copies travel as one binary value
    expect(raw?.messages).toBeUndefined();

    for (const m of left) {
      const stored = await waitFor(
        () => store.findById(m._id),
        (d) => d !== null,
        { timeoutMs: 15_000, what: `the relay to store ${m.body}` },
      );
      expect(stored).toEqual(m); // same fields and types as the group commit would have stored
    }
    await waitFor(
      () => outbox.pendingAmong(left.map((m) => m._id)),
      (p) => p.size === 0,
      { timeoutMs: 15_000, what: 'the relay to publish and delete the entry' },
    );
    const events = await scanTopic(
      Topics.MessageCreated,
      topicFrom,
      (r) => r.value !== null && r.value.includes(`${sender} left`),
    );
    const eventIds = events.map((r) => (JSON.parse(r.value!.toString()) as { eventId: string }).eventId).sort();
    expect(eventIds).toEqual(left.map((m) => m.eventId).sort());
  });

  it('answers two concurrent POSTs with one Idempotency-Key in one group: one message, one replay', async () => {
    const alice = uniqueUser('gc-alice');
    const headers = {
      ...bearer(await hs256(alice)),
      'idempotency-key': `${alice}-k`,
      'content-type': 'application/json',
    };
    const payload = { recipientIds: [uniqueUser('gc-bob')], body: 'same request twice' };
    const before = await groupCommits(metrics);
    const answers = await Promise.all(
      [0, 1].map(() => app.inject({ method: 'POST', url: '/api/v1/messages', headers, payload })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
    const after = await groupCommits(metrics);
    expect(after.sum - before.sum).toBe(2); // both went through a group commit
    expect(answers.find((a) => a.headers['idempotent-replayed'] !== 'true')?.json().publishState).toBe('published');
  });
});
