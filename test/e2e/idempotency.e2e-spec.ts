import { Kafka } from 'kafkajs';
import request from 'supertest';
import { Topics } from '@herald/contracts';
import { startApps, RunningApps } from '../support/apps';
import { testServers, uniqueUser } from '../support/env';
import { waitFor } from '../support/wait';

/** Idempotency-Key on POST /api/v1/messages, against the real servers. */
describe('Idempotency-Key', () => {
  let apps: RunningApps;
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  let token: string;
  let bobToken: string;

  beforeAll(async () => {
    apps = await startApps();
    token = await apps.token(alice);
    bobToken = await apps.token(bob);
  });
  afterAll(() => apps?.close());

  const post = (key: string | undefined, body: object, as = token) => {
    const r = request(apps.messages.getHttpServer()).post('/api/v1/messages').set('Authorization', `Bearer ${as}`);
    return (key === undefined ? r : r.set('Idempotency-Key', key)).send(body);
  };

  it('returns the original message for a retry and creates no second message or notification', async () => {
    const key = `k-${Date.now()}`;
    const payload = { recipientIds: [bob], body: 'only once please' };
    const first = await post(key, payload).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(key, payload).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);

    const list = () =>
      request(apps.notifications.getHttpServer())
        .get('/api/v1/notifications')
        .set('Authorization', `Bearer ${bobToken}`)
        .expect(200);
    await waitFor(
      async () => (await list()).body.data.length as number,
      (n) => n >= 1,
      { what: "bob's notification" },
    );
    // Give a hypothetical second event time to arrive, then check there is still exactly one.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await list()).body.data).toHaveLength(1);
  });

  it('answers 422 for the same key with a different body', async () => {
    const key = `k2-${Date.now()}`;
    await post(key, { recipientIds: [bob], body: 'one' }).expect(201);
    const res = await post(key, { recipientIds: [bob], body: 'two' }).expect(422);
    expect(res.body.message).toContain('Idempotency-Key');
  });

  it('keeps keys per sender: the same key from another sender is a new message', async () => {
    const key = `k3-${Date.now()}`;
    const a = await post(key, { recipientIds: [bob], body: 'same' }).expect(201);
    const b = await post(key, { recipientIds: [alice], body: 'same' }, bobToken).expect(201);
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('rejects a malformed key with 400 naming the header', async () => {
    const res = await post('bad key with spaces', { recipientIds: [bob], body: 'x' }).expect(400);
    expect(res.body.message).toContain('Idempotency-Key');
    await post('x'.repeat(129), { recipientIds: [bob], body: 'x' }).expect(400);
  });

  it('concurrent retries yield exactly one message and one event', async () => {
    const key = `k4-${Date.now()}`;
    const payload = { recipientIds: [bob], body: `concurrent ${key}` };
    const results = await Promise.all(Array.from({ length: 20 }, () => post(key, payload)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = new Set(results.map((r) => r.body.id as string));
    expect(ids.size).toBe(1);
    const [messageId] = [...ids];

    // Count the events on the topic carrying that messageId.
    const kafka = new Kafka({ clientId: 'e2e-idem', brokers: testServers().KAFKA_BROKERS.split(',') });
    const consumer = kafka.consumer({ groupId: `e2e-idem-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.MessageCreated, fromBeginning: true });
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topics.MessageCreated);
    await admin.disconnect();
    const remaining = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
    let matches = 0;
    await new Promise<void>((resolve, reject) => {
      const done = () => [...remaining.values()].every((v) => v <= 0n);
      if (done()) return resolve();
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (message.value?.toString().includes(messageId)) matches++;
            if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.set(partition, 0n);
            if (done()) resolve();
          },
        })
        .catch(reject);
      for (const [p, high] of remaining) if (high === 0n) remaining.set(p, 0n);
    });
    await consumer.disconnect();
    expect(matches).toBe(1);
  });
});
