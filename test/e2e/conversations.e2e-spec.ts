import request from 'supertest';
import { startApps, RunningApps } from '../support/apps';
import { uniqueUser } from '../support/env';

/** Messages read side: conversations and their history, on the real servers. */
describe('conversations', () => {
  let apps: RunningApps;
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const carol = uniqueUser('carol');
  const t: Record<string, string> = {};

  beforeAll(async () => {
    apps = await startApps();
    for (const u of [alice, bob, carol]) t[u] = await apps.token(u);
  });
  afterAll(() => apps?.close());

  const api = () => request(apps.messages.getHttpServer());
  const send = (from: string, to: string[], body: string) =>
    api().post('/api/v1/messages').set('Authorization', `Bearer ${t[from]}`).send({ recipientIds: to, body }).expect(201);

  it('lists my conversations, most recently active first, with their last message', async () => {
    const ab = (await send(alice, [bob], 'a→b 1')).body.conversationId as string;
    const ac = (await send(alice, [carol], 'a→c 1')).body.conversationId as string;
    await send(bob, [alice], 'b→a 2');
    const res = await api().get('/api/v1/conversations').set('Authorization', `Bearer ${t[alice]}`).expect(200);
    expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([ab, ac]);
    expect(res.body.data[0].lastMessage).toMatchObject({ senderId: bob, preview: 'b→a 2' });
    expect(res.body.data[0].participants.sort()).toEqual([alice, bob].sort());
    const carols = await api().get('/api/v1/conversations').set('Authorization', `Bearer ${t[carol]}`).expect(200);
    expect(carols.body.data.map((c: { id: string }) => c.id)).toEqual([ac]);
  });

  it('pages conversations with a cursor', async () => {
    const user = uniqueUser('pager');
    t[user] = await apps.token(user);
    for (let i = 0; i < 5; i++) await send(user, [uniqueUser('peer')], `hello ${i}`);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await api().get('/api/v1/conversations').query({ limit: 2, ...(cursor ? { after: cursor } : {}) }).set('Authorization', `Bearer ${t[user]}`).expect(200);
      ids.push(...res.body.data.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  it('pages a conversation history newest first, for participants only', async () => {
    const conv = (await send(alice, [bob], 'h0')).body.conversationId as string;
    for (let i = 1; i < 5; i++) await send(i % 2 ? bob : alice, [i % 2 ? alice : bob], `h${i}`);
    const first = await api().get(`/api/v1/conversations/${conv}/messages`).query({ limit: 3 }).set('Authorization', `Bearer ${t[bob]}`).expect(200);
    expect(first.body.hasMore).toBe(true);
    const second = await api().get(`/api/v1/conversations/${conv}/messages`).query({ limit: 3, after: first.body.nextCursor }).set('Authorization', `Bearer ${t[bob]}`).expect(200);
    const bodies = [...first.body.data, ...second.body.data].map((m: { body: string }) => m.body);
    expect(bodies.slice(0, 5)).toEqual(['h4', 'h3', 'h2', 'h1', 'h0']);
    await api().get(`/api/v1/conversations/${conv}/messages`).set('Authorization', `Bearer ${t[carol]}`).expect(404);
    await api().get('/api/v1/conversations/no-such-conversation/messages').set('Authorization', `Bearer ${t[alice]}`).expect(404);
    await api().get('/api/v1/conversations/bad%20id!/messages').set('Authorization', `Bearer ${t[alice]}`).expect(404);
    await api().get(`/api/v1/conversations/${conv}/messages?after=!!`).set('Authorization', `Bearer ${t[alice]}`).expect(400);
    await api().get('/api/v1/conversations?after=bm90LWpzb24').set('Authorization', `Bearer ${t[alice]}`).expect(400);
    await api().get('/api/v1/conversations?limit=500').set('Authorization', `Bearer ${t[alice]}`).expect(400);
    await api().get('/api/v1/conversations').expect(401);
  });
});
