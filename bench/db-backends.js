#!/usr/bin/env node
'use strict';
/**
 * Herald's own read-path queries against one MongoDB-wire server, at a given volume: the numbers
 * behind the embedded backend choice (docs/database.md). Not part of `npm test` or `npm run bench`.
 *
 *   MONGODB_URI=mongodb://127.0.0.1:27017 node bench/db-backends.js [--docs 100000] [--users 10000]
 *     [--iterations 60] [--budget-ms 20000] [--json out.json] [--no-load] [--only text]
 *
 * `--no-load` reuses the data of an earlier run that was stopped (nothing dropped or inserted);
 * `--only` times only the queries whose name contains the text.
 *
 * Loads `--docs` notifications (shape of notificationsFor in
 * apps/notifications/src/consumer/notification.writer.ts, plus the boolean state fields `read`,
 * `seen`, `archived`) for `--users` users whose volumes follow a power law (Zipf, s = 1: user k of
 * n gets a share 1/(k·H_n)), in unordered insertMany batches of 500 into database `herald_dbbench`
 * (dropped first), with the schema's indexes (notification.schema.ts). Then times each query
 * (latency in ms, p50/p95/p99/max over `--iterations` runs, stopped early after `--budget-ms`),
 * for users drawn like inbox traffic (the recipient of a random notification: heavy users are asked
 * more often) and for the heaviest user, and prints each query's `explain` (FerretDB's pushdown
 * flags and the backend's plan).
 */
const { mongoDriver } = require('../stack/lib');

const { MongoClient, ObjectId } = mongoDriver();

/** @param {string} name @param {number} def @returns {number} a numeric `--name value` argument */
function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const DOCS = arg('docs', 100000);
const USERS = arg('users', 10000);
const ITERATIONS = arg('iterations', 60);
const BUDGET_MS = arg('budget-ms', 20000);
const BATCH = 500;
const NO_LOAD = process.argv.includes('--no-load');
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : '';
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : null;

/** Deterministic PRNG (mulberry32) so both backends get the same data and the same draws. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Notifications per user: Zipf (s = 1) shares of DOCS, at least 1 each, summing to DOCS. */
function volumes() {
  const h = Array.from({ length: USERS }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
  const v = Array.from({ length: USERS }, (_, k) => Math.max(1, Math.floor(DOCS / ((k + 1) * h))));
  let rest = DOCS - v.reduce((a, b) => a + b, 0);
  for (let k = 0; rest !== 0; k = (k + 1) % USERS) {
    if (rest > 0) {
      v[k] += 1;
      rest -= 1;
    } else if (v[k] > 1) {
      v[k] -= 1;
      rest += 1;
    }
  }
  return v;
}

/** @param {number[]} xs latencies in ms @returns {object} p50/p95/p99/max/n, ms rounded to 0.1 */
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  const r = (x) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(q(50)), p95: r(q(95)), p99: r(q(99)), max: r(s[s.length - 1]) };
}

/** Runs fn up to ITERATIONS times (or until BUDGET_MS), returns latency stats. */
async function timed(fn) {
  const xs = [];
  const t0 = performance.now();
  for (let i = 0; i < ITERATIONS && performance.now() - t0 < BUDGET_MS; i += 1) {
    const s = performance.now();
    await fn(i);
    xs.push(performance.now() - s);
  }
  return stats(xs);
}

/** Compact explain: FerretDB's pushdown flags and the backend plan's node types. */
async function explain(db, cmd) {
  try {
    const e = await db.command({ explain: cmd, verbosity: 'queryPlanner' });
    const plan = JSON.stringify(e.queryPlanner ?? e);
    const nodes = [
      ...new Set(
        [...plan.matchAll(/"Node Type":"([^"]+)"|"detail":"([^"]+)"|"stage":"([^"]+)"/g)].map(
          (m) => m[1] || m[2] || m[3],
        ),
      ),
    ];
    const indexes = [
      ...new Set([...plan.matchAll(/"Index Name":"([^"]+)"|"indexName":"([^"]+)"/g)].map((m) => m[1] || m[2])),
    ];
    return {
      filterPushdown: e.filterPushdown,
      sortPushdown: e.sortPushdown,
      limitPushdown: e.limitPushdown,
      nodes,
      indexes,
    };
  } catch (err) {
    return { error: err.message };
  }
}

async function main() {
  const uri = process.env.MONGODB_URI || 'mongodb://127.0.0.1:27017';
  const client = new MongoClient(uri);
  await client.connect();
  const db = client.db('herald_dbbench');
  if (!NO_LOAD) await db.dropDatabase();
  const col = db.collection('notifications');
  // The schema's indexes (apps/notifications/src/inbox/notification.schema.ts).
  if (!NO_LOAD)
    await col.createIndexes([
      { key: { eventId: 1, recipientId: 1 }, unique: true },
      { key: { recipientId: 1, _id: -1 } },
      { key: { recipientId: 1, archivedAt: 1, readAt: 1, _id: -1 } },
      { key: { recipientId: 1, archivedAt: 1, seenAt: 1, _id: -1 } },
      { key: { recipientId: 1, conversationId: 1, readAt: 1 } },
    ]);
  await new Promise((r) => setTimeout(r, 2500)); // the stack's indexers run every 0.2 s / 1 s

  const vol = volumes();
  const rand = rng(42);
  // One recipient per notification, shuffled so batches mix users like a real stream.
  const owners = [];
  vol.forEach((n, k) => {
    for (let i = 0; i < n; i += 1) owners.push(k);
  });
  for (let i = owners.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [owners[i], owners[j]] = [owners[j], owners[i]];
  }
  const start = Date.now() - DOCS * 1000;
  const doc = (i) => {
    const u = owners[i];
    const at = new Date(start + i * 1000);
    return {
      _id: ObjectId.createFromTime(Math.floor(at.getTime() / 1000)),
      recipientId: `u${u}`,
      type: 'message.created',
      eventId: `e${i}`,
      messageId: `m${i}`,
      conversationId: `c${u % 97}-${Math.floor(rand() * 8)}`,
      senderId: `s${Math.floor(rand() * USERS)}`,
      preview: 'Lunch at noon? '.repeat(4),
      createdAt: at,
      storedAt: at,
      seenAt: null,
      readAt: null,
      archivedAt: null,
      seen: false,
      read: false,
      archived: false,
    };
  };
  const t0 = performance.now();
  const insertLat = [];
  for (let i = 0; i < (NO_LOAD ? 0 : DOCS); i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(DOCS, i + BATCH); j += 1) batch.push(doc(j));
    const s = performance.now();
    await col.insertMany(batch, { ordered: false });
    insertLat.push(performance.now() - s);
  }
  const loadS = (performance.now() - t0) / 1000;
  console.log(
    `loaded ${DOCS} notifications for ${USERS} users (heaviest ${vol[0]}, median ${vol[Math.floor(USERS / 2)]}) in ${loadS.toFixed(1)} s`,
  );

  // A user drawn like inbox traffic: the recipient of a random notification.
  const draw = rng(7);
  const docsById = await col
    .find({}, { projection: { _id: 1, recipientId: 1, conversationId: 1 } })
    .limit(0)
    .toArray()
    .catch(() => []);
  const sample = () => docsById[Math.floor(draw() * docsById.length)];

  const shapes = {
    'inbox page (archivedAt:null)': (u) =>
      col.find({ recipientId: u, archivedAt: null }).sort({ _id: -1 }).limit(21).toArray(),
    'inbox page (archived:false)': (u) =>
      col.find({ recipientId: u, archived: false }).sort({ _id: -1 }).limit(21).toArray(),
    'next page _id:$lt (archived:false)': async (u) => {
      const p = await col
        .find({ recipientId: u, archived: false }, { projection: { _id: 1 } })
        .sort({ _id: -1 })
        .limit(21)
        .toArray();
      const cursor = p.length ? p[p.length - 1]._id : new ObjectId();
      const s = performance.now();
      await col
        .find({ recipientId: u, archived: false, _id: { $lt: cursor } })
        .sort({ _id: -1 })
        .limit(21)
        .toArray();
      return performance.now() - s; // only the second page is timed (see timedInner)
    },
    'unread count (readAt:null, archivedAt:null)': (u) =>
      col.countDocuments({ recipientId: u, readAt: null, archivedAt: null }),
    'unread count (read:false, archived:false)': (u) =>
      col.countDocuments({ recipientId: u, read: false, archived: false }),
    'read-all conversation (booleans)': (u, d) =>
      col.updateMany(
        { recipientId: u, conversationId: d.conversationId, read: false, archived: false },
        { $set: { readAt: new Date(), read: true } },
      ),
  };
  for (const table of [shapes]) {
    for (const k of Object.keys(table)) if (!k.includes(ONLY)) delete table[k];
  }
  const results = {
    uri: uri.replace(/\/\/[^@]*@/, '//'),
    docs: DOCS,
    users: USERS,
    heaviest: vol[0],
    load_s: loadS,
    insertMany500: stats(insertLat),
    queries: {},
  };

  for (const [name, fn] of Object.entries(shapes)) {
    const inner = name.startsWith('next page');
    const run = async (pick) => {
      const xs = [];
      const tStart = performance.now();
      for (let i = 0; i < ITERATIONS && performance.now() - tStart < BUDGET_MS; i += 1) {
        const d = sample() || { recipientId: 'u0', conversationId: 'c0-0' };
        const u = pick === 'traffic' ? d.recipientId : 'u0';
        const s = performance.now();
        const r = await fn(u, pick === 'traffic' ? d : { conversationId: `c0-${i % 8}` });
        xs.push(inner ? r : performance.now() - s);
      }
      return stats(xs);
    };
    results.queries[name] = { traffic: await run('traffic'), heaviest: await run('heaviest') };
    console.log(name, JSON.stringify(results.queries[name]));
  }
  const byId = {
    'findOne({_id})': (d) => col.findOne({ _id: d._id }),
    'findOneAndUpdate({_id, recipientId})': (d) =>
      col.findOneAndUpdate(
        { _id: d._id, recipientId: d.recipientId },
        { $set: { seenAt: new Date(), seen: true } },
        { returnDocument: 'after' },
      ),
    'findOneAndUpdate({_id}) + owner check': async (d) => {
      const r = await col.findOneAndUpdate(
        { _id: d._id },
        { $set: { seenAt: new Date(), seen: true } },
        { returnDocument: 'after' },
      );
      if (r && r.recipientId !== d.recipientId) throw new Error('owner check');
    },
    'updateOne({_id, recipientId})': (d) =>
      col.updateOne({ _id: d._id, recipientId: d.recipientId }, { $set: { readAt: new Date(), read: true } }),
  };
  for (const k of Object.keys(byId)) if (!k.includes(ONLY)) delete byId[k];
  for (const [name, fn] of Object.entries(byId)) {
    results.queries[name] = { traffic: await timed(() => fn(sample())) };
    console.log(name, JSON.stringify(results.queries[name]));
  }
  results.insertMany500 = { ...results.insertMany500, during_load: true };
  console.log('insertMany(500)', JSON.stringify(results.insertMany500));

  const c = 'notifications';
  const some = sample() || {};
  results.explain = {
    'inbox (archivedAt:null)': await explain(db, {
      find: c,
      filter: { recipientId: 'u1', archivedAt: null },
      sort: { _id: -1 },
      limit: 21,
    }),
    'inbox (archived:false)': await explain(db, {
      find: c,
      filter: { recipientId: 'u1', archived: false },
      sort: { _id: -1 },
      limit: 21,
    }),
    'next page': await explain(db, {
      find: c,
      filter: { recipientId: 'u1', archived: false, _id: { $lt: new ObjectId() } },
      sort: { _id: -1 },
      limit: 21,
    }),
    // countDocuments is an aggregate: $match (pushed down when first) then $group.
    'unread count (booleans)': await explain(db, {
      aggregate: c,
      pipeline: [
        { $match: { recipientId: 'u1', read: false, archived: false } },
        { $group: { _id: 1, n: { $sum: 1 } } },
      ],
      cursor: {},
    }),
    'findOne _id': await explain(db, { find: c, filter: { _id: some._id }, limit: 1 }),
    '_id + recipientId': await explain(db, {
      find: c,
      filter: { _id: some._id, recipientId: some.recipientId },
      limit: 1,
    }),
    'read-all (booleans)': await explain(db, {
      find: c,
      filter: { recipientId: 'u1', conversationId: 'c1-0', read: false, archived: false },
    }),
  };
  for (const [k, v] of Object.entries(results.explain)) console.log(`explain ${k}: ${JSON.stringify(v)}`);
  if (jsonOut) require('node:fs').writeFileSync(jsonOut, `${JSON.stringify(results, null, 2)}\n`);
  await db.dropDatabase();
  await client.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
