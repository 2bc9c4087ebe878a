import request from 'supertest';
import { startApps, RunningApps } from '../support/apps';
import { uniqueUser } from '../support/env';
import { waitFor } from '../support/wait';

type Page = {
  data: Array<{
    id: string;
    readAt: string | null;
    seenAt: string | null;
    archivedAt: string | null;
    conversationId: string;
    preview: string;
  }>;
  nextCursor: string | null;
  hasMore: boolean;
};

/** The inbox API: pagination, filters, counts, marking, scoping — on the real servers. */
describe('inbox', () => {
  let apps: RunningApps;
  const alice = uniqueUser('alice');
  const bob = uniqueUser('bob');
  const mallory = uniqueUser('mallory');
  const t: Record<string, string> = {};
  // Named conversations are global: each run uses its own (an existing one only takes its participants).
  const conv = (name: string): string => `${name}-${alice}`;

  beforeAll(async () => {
    apps = await startApps();
    for (const u of [alice, bob, mallory]) t[u] = await apps.token(u);
  });
  afterAll(() => apps?.close());

  const api = () => request(apps.notifications.getHttpServer());
  const send = (body: string, conversationId?: string) =>
    request(apps.messages.getHttpServer())
      .post('/api/v1/messages')
      .set('Authorization', `Bearer ${t[alice]}`)
      .send({ recipientIds: [bob], body, ...(conversationId ? { conversationId } : {}) })
      .expect(201);
  const list = async (user: string, query: Record<string, string | number | boolean> = {}): Promise<Page> =>
    (await api().get('/api/v1/notifications').query(query).set('Authorization', `Bearer ${t[user]}`).expect(200))
      .body as Page;
  const count = async (user: string, query: Record<string, string | boolean> = {}): Promise<number> =>
    (
      (
        await api()
          .get('/api/v1/notifications/count')
          .query(query)
          .set('Authorization', `Bearer ${t[user]}`)
          .expect(200)
      ).body as { count: number }
    ).count;

  it('pages newest first without skipping or repeating while new notifications arrive', async () => {
    for (let i = 0; i < 12; i++) await send(`first batch ${i}`, conv('paging'));
    await waitFor(
      () => count(bob),
      (n) => n >= 12,
      { what: '12 notifications' },
    );
    const seen: string[] = [];
    let page = await list(bob, { limit: 5 });
    expect(page.data).toHaveLength(5);
    expect(page.hasMore).toBe(true);
    expect(page.data[0].preview).toBe('first batch 11');
    seen.push(...page.data.map((n) => n.id));
    // New notifications arrive between pages.
    for (let i = 0; i < 4; i++) await send(`second batch ${i}`, conv('paging'));
    await waitFor(
      () => count(bob),
      (n) => n >= 16,
      { what: '16 notifications' },
    );
    while (page.nextCursor) {
      page = await list(bob, { limit: 5, after: page.nextCursor });
      seen.push(...page.data.map((n) => n.id));
    }
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    expect(page.hasMore).toBe(false);
    // The new ones are at the head of a fresh first page.
    expect((await list(bob, { limit: 4 })).data.map((n) => n.preview)).toEqual([
      'second batch 3',
      'second batch 2',
      'second batch 1',
      'second batch 0',
    ]);
  });

  it('marks read/seen/archived, filters and counts by them, and clears them again', async () => {
    await send('mark me', conv('marking'));
    const target = (
      await waitFor(
        () => list(bob, { limit: 1 }),
        (p) => p.data[0]?.preview === 'mark me',
        { what: 'mark me' },
      )
    ).data[0];
    const unreadBefore = await count(bob, { read: false });
    const patched = await api()
      .patch(`/api/v1/notifications/${target.id}`)
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({ read: true, seen: true })
      .expect(200);
    expect(patched.body.readAt).not.toBeNull();
    expect(patched.body.seenAt).not.toBeNull();
    expect(await count(bob, { read: false })).toBe(unreadBefore - 1);
    expect((await list(bob, { read: true })).data.map((n) => n.id)).toContain(target.id);
    expect((await list(bob, { read: false })).data.map((n) => n.id)).not.toContain(target.id);
    expect((await list(bob, { seen: true })).data.map((n) => n.id)).toContain(target.id);

    await api()
      .patch(`/api/v1/notifications/${target.id}`)
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({ archived: true })
      .expect(200);
    expect((await list(bob, { limit: 100 })).data.map((n) => n.id)).not.toContain(target.id);
    expect((await list(bob, { archived: true })).data.map((n) => n.id)).toEqual([target.id]);

    const cleared = await api()
      .patch(`/api/v1/notifications/${target.id}`)
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({ read: false, archived: false })
      .expect(200);
    expect(cleared.body.readAt).toBeNull();
    expect(cleared.body.archivedAt).toBeNull();
  });

  it('read-all marks everything (or one conversation) read and reports how many', async () => {
    await send('conv A', conv('read-all-a'));
    await send('conv B', conv('read-all-b'));
    await waitFor(
      () => list(bob, { limit: 2 }),
      (p) => p.data.some((n) => n.conversationId === conv('read-all-b')),
      { what: 'conv B' },
    );
    const one = await api()
      .post('/api/v1/notifications/read-all')
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({ conversationId: conv('read-all-a') })
      .expect(200);
    expect(one.body.updated).toBe(1);
    const unread = await count(bob, { read: false });
    expect(unread).toBeGreaterThan(0);
    const all = await api()
      .post('/api/v1/notifications/read-all')
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({})
      .expect(200);
    expect(all.body.updated).toBe(unread);
    expect(await count(bob, { read: false })).toBe(0);
  });

  it("never reveals or changes another user's notifications", async () => {
    const target = (await list(bob, { limit: 1 })).data[0];
    await api()
      .patch(`/api/v1/notifications/${target.id}`)
      .set('Authorization', `Bearer ${t[mallory]}`)
      .send({ read: true })
      .expect(404);
    await api()
      .patch('/api/v1/notifications/6b0528fc3be48ad755678066')
      .set('Authorization', `Bearer ${t[bob]}`)
      .send({ read: true })
      .expect(404);
    expect((await list(mallory)).data).toHaveLength(0);
    expect(await count(mallory)).toBe(0);
    const res = await api()
      .post('/api/v1/notifications/read-all')
      .set('Authorization', `Bearer ${t[mallory]}`)
      .send({})
      .expect(200);
    expect(res.body.updated).toBe(0);
  });

  it.each([
    ['id', 'patch', '/api/v1/notifications/not-an-id', { read: true }],
    ['read', 'patch', '/api/v1/notifications/6b0528fc3be48ad755678066', { read: 'yes' }],
    ['color', 'patch', '/api/v1/notifications/6b0528fc3be48ad755678066', { color: 'red' }],
    ['limit', 'get', '/api/v1/notifications?limit=0', undefined],
    ['limit', 'get', '/api/v1/notifications?limit=101', undefined],
    ['limit', 'get', '/api/v1/notifications?limit=abc', undefined],
    ['after', 'get', '/api/v1/notifications?after=zzz', undefined],
    ['read', 'get', '/api/v1/notifications?read=maybe', undefined],
    ['seen', 'get', '/api/v1/notifications/count?seen=1', undefined],
    ['conversationId', 'post', '/api/v1/notifications/read-all', { conversationId: 'bad id!' }],
  ])('400 naming %s', async (field, method, path, body) => {
    const r = (api() as any)[method](path).set('Authorization', `Bearer ${t[bob]}`);
    const res = await (body ? r.send(body) : r).expect(400);
    expect(res.body.message).toContain(field);
  });
});
