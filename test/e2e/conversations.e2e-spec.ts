import request from 'supertest';
import { startApps, RunningApps } from '../support/apps';
import { uniqueUser } from '../support/env';
import { waitFor } from '../support/wait';

/** Longest wait for the `conversations` projection to show a POST in the list (eventual, not a performance bound). */
const PROJECTION_WAIT_MS = 60_000;

/**
 * Messages read side: conversations and their history, on the real servers. The list is the
 * `conversations` group's projection of `message.created`, so it is read with bounded waits; the
 * history reads `messages` itself and is exact right after the 201.
 */
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
    api()
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${t[from]}`)
      .send({ recipientIds: to, body })
      .expect(201);
  type Page = {
    data: Array<{
      id: string;
      participants: string[];
      lastMessage: { id: string; senderId: string; preview: string } | null;
    }>;
    nextCursor: string | null;
  };
  const list = async (user: string, query: Record<string, string | number> = {}): Promise<Page> =>
    (await api().get('/api/v1/conversations').query(query).set('Authorization', `Bearer ${t[user]}`).expect(200))
      .body as Page;
  /**
   * The user's first page once `done` holds (the projection caught up), else fails after {@link
   * PROJECTION_WAIT_MS}.
   */
  const listWhen = (user: string, done: (p: Page) => boolean, what: string) =>
    waitFor(() => list(user), done, { timeoutMs: PROJECTION_WAIT_MS, intervalMs: 250, what });

  it('lists my conversations, most recently active first, with their last message', async () => {
    const ab = (await send(alice, [bob], 'a→b 1')).body.conversationId as string;
    const ac = (await send(alice, [carol], 'a→c 1')).body.conversationId as string;
    const last = (await send(bob, [alice], 'b→a 2')).body.id as string;
    const res = await listWhen(
      alice,
      (p) => p.data.length === 2 && p.data[0].lastMessage?.id === last,
      "alice's two conversations, b→a 2 newest",
    );
    expect(res.data.map((c) => c.id)).toEqual([ab, ac]);
    expect(res.data[0].lastMessage).toMatchObject({ senderId: bob, preview: 'b→a 2' });
    expect(res.data[0].participants.sort()).toEqual([alice, bob].sort());
    const carols = await listWhen(carol, (p) => p.data.length === 1, "carol's conversation");
    expect(carols.data.map((c) => c.id)).toEqual([ac]);
  });

  it('pages conversations with a cursor', async () => {
    const user = uniqueUser('pager');
    t[user] = await apps.token(user);
    for (let i = 0; i < 5; i++) await send(user, [uniqueUser('peer')], `hello ${i}`);
    await listWhen(user, (p) => p.data.length === 5, `${user}'s 5 conversations`);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await api()
        .get('/api/v1/conversations')
        .query({ limit: 2, ...(cursor ? { after: cursor } : {}) })
        .set('Authorization', `Bearer ${t[user]}`)
        .expect(200);
      ids.push(...res.body.data.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  it('pages a conversation history newest first, for participants only', async () => {
    const conv = (await send(alice, [bob], 'h0')).body.conversationId as string;
    for (let i = 1; i < 5; i++) await send(i % 2 ? bob : alice, [i % 2 ? alice : bob], `h${i}`);
    const first = await api()
      .get(`/api/v1/conversations/${conv}/messages`)
      .query({ limit: 3 })
      .set('Authorization', `Bearer ${t[bob]}`)
      .expect(200);
    expect(first.body.hasMore).toBe(true);
    const second = await api()
      .get(`/api/v1/conversations/${conv}/messages`)
      .query({ limit: 3, after: first.body.nextCursor })
      .set('Authorization', `Bearer ${t[bob]}`)
      .expect(200);
    const bodies = [...first.body.data, ...second.body.data].map((m: { body: string }) => m.body);
    expect(bodies.slice(0, 5)).toEqual(['h4', 'h3', 'h2', 'h1', 'h0']);
    await api().get(`/api/v1/conversations/${conv}/messages`).set('Authorization', `Bearer ${t[carol]}`).expect(404);
    await api()
      .get('/api/v1/conversations/no-such-conversation/messages')
      .set('Authorization', `Bearer ${t[alice]}`)
      .expect(404);
    await api().get('/api/v1/conversations/bad%20id!/messages').set('Authorization', `Bearer ${t[alice]}`).expect(404);
    await api()
      .get(`/api/v1/conversations/${conv}/messages?after=!!`)
      .set('Authorization', `Bearer ${t[alice]}`)
      .expect(400);
    await api().get('/api/v1/conversations?after=bm90LWpzb24').set('Authorization', `Bearer ${t[alice]}`).expect(400);
    await api().get('/api/v1/conversations?limit=500').set('Authorization', `Bearer ${t[alice]}`).expect(400);
    await api().get('/api/v1/conversations').expect(401);
  });
});
