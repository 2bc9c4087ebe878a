import mongoose from 'mongoose';
import { startApps, RunningApps } from '../support/apps';
import { testServers } from '../support/env';

type Plan = { stage?: string; indexName?: string; inputStage?: Plan; inputStages?: Plan[] };

/** Index names used anywhere in a MongoDB winning plan. */
function indexesOf(plan: Plan | undefined): string[] {
  if (!plan) return [];
  return [...(plan.indexName ? [plan.indexName] : []), ...indexesOf(plan.inputStage), ...(plan.inputStages ?? []).flatMap(indexesOf)];
}

/**
 * The inbox queries have indexes (recipient first), and on MongoDB the planner uses them.
 * FerretDB v1 (SQLite) keeps the indexes but its `explain` reports no index use (only
 * `filterPushdown`), so there the test checks the indexes exist and records what explain says.
 */
describe('indexes behind the inbox queries', () => {
  let apps: RunningApps;
  let conn: mongoose.Connection;

  beforeAll(async () => {
    apps = await startApps(); // builds the schema indexes (autoIndex)
    conn = await mongoose.createConnection(testServers().MONGODB_URI).asPromise();
    await conn.collection('notifications').indexes(); // collection exists
  });
  afterAll(async () => {
    await conn?.close();
    await apps?.close();
  });

  const queries = {
    list: { filter: { recipientId: 'bob', archivedAt: null }, sort: { _id: -1 }, index: 'recipientId_1__id_-1' },
    unread: { filter: { recipientId: 'bob', archivedAt: null, readAt: null }, sort: { _id: -1 }, index: 'recipientId_1_archivedAt_1_readAt_1__id_-1' },
    unseen: { filter: { recipientId: 'bob', archivedAt: null, seenAt: null }, sort: { _id: -1 }, index: 'recipientId_1_archivedAt_1_seenAt_1__id_-1' },
  };

  it('has a unique (eventId, recipientId) index and one recipient-first index per query', async () => {
    const names = await waitForIndexes(conn, Object.values(queries).map((q) => q.index).concat('eventId_1_recipientId_1'));
    expect(names).toEqual(expect.arrayContaining(['eventId_1_recipientId_1', ...Object.values(queries).map((q) => q.index)]));
    const unique = (await conn.collection('notifications').indexes()).find((i) => i.name === 'eventId_1_recipientId_1');
    expect(unique?.unique).toBe(true);
  });

  it.each(Object.entries(queries))('the %s query is served by its index (MongoDB) or explained (FerretDB)', async (_name, q) => {
    const explain = (await conn.collection('notifications').find(q.filter).sort(q.sort as never).limit(21).explain()) as {
      queryPlanner?: { winningPlan?: Plan };
      ferretdbVersion?: string;
      serverInfo?: { ferretdbVersion?: string };
      filterPushdown?: boolean;
    };
    if (explain.serverInfo?.ferretdbVersion !== undefined) {
      expect(typeof explain.filterPushdown).toBe('boolean');
      console.log(`FerretDB explain for ${_name}: filterPushdown=${explain.filterPushdown} (no index use reported by FerretDB v1)`);
    } else {
      const used = indexesOf(explain.queryPlanner?.winningPlan);
      expect(used[0]?.startsWith('recipientId_1')).toBe(true);
    }
  });
});

async function waitForIndexes(conn: mongoose.Connection, expected: string[]): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const names = (await conn.collection('notifications').indexes()).map((x) => x.name ?? '');
    if (expected.every((e) => names.includes(e))) return names;
    await new Promise((r) => setTimeout(r, 200));
  }
  return (await conn.collection('notifications').indexes()).map((x) => x.name ?? '');
}
