import http from 'node:http';
import path from 'node:path';
import { Schema } from 'mongoose';
import { NOTIFICATIONS_GROUP_ID } from '../../apps/notifications/src/notifications.settings';
import { ConversationSchema } from '../../apps/messages/src/dal/conversations/conversation.schema';
import { MessageSchema } from '../../apps/messages/src/dal/messages/message.schema';
import { NotificationSchema } from '../../apps/notifications/src/dal/notifications/notification.schema';
import { Backend, databasePids, dataFolders, filesBytes, folderBytes } from '../lib/backend';
import { cpuMs, treeCpuMs } from '../lib/cpu';
import { resetTopics } from '../lib/kafka';
import { pick, seeded } from '../lib/prng';
import { appEntry, Child, freePort, ROOT, startNode, waitHttp } from '../lib/procs';
import { Answer, measureSequential, RequestSpec, send, SequentialRun } from '../lib/sequential';
import { median } from '../lib/stats';
import { signToken } from '../lib/token';
import { VOLUME_SHAPE, VolumeData, volumeUser } from '../lib/volume-data';
import { freshDb, heraldEnv, SuiteContext } from './context';

/** The API calls measured at volume, in the order they run. */
export const VOLUME_ENDPOINTS = {
  inbox: 'GET /notifications (first page, 20)',
  nextPage: 'GET /notifications?after= (next page by cursor)',
  unreadCount: 'GET /notifications/count?read=false',
  markRead: 'PATCH /notifications/:id {read: true}',
  readAllConversation: 'POST /notifications/read-all {conversationId}',
  conversations: 'GET /conversations (first page, 20)',
  history: 'GET /conversations/:id/messages (first page, 20)',
  message: 'GET /messages/:id',
} as const;
export type VolumeEndpointName = keyof typeof VOLUME_ENDPOINTS;

/** One endpoint measured at one size on one backend. */
export interface VolumeEndpointRun extends SequentialRun {
  name: VolumeEndpointName;
}

/** Everything measured for one backend at one size. */
export interface VolumeRun {
  backend: Backend;
  size: number;
  users: number;
  /** Documents inserted (less than `size` when the load hit `volumeMaxLoadSeconds`). */
  loaded: { notifications: number; messages: number; conversations: number };
  partialLoad: boolean;
  loadSeconds: number;
  /** Documents (notifications + messages + conversations) inserted per second. */
  loadDocsPerSecond: number;
  /** Inbox sizes: largest, median, users with ≥ 10,000. */
  inbox: { largest: number; median: number; over10k: number };
  endpoints: VolumeEndpointRun[];
  /** CPU of the database processes with the data loaded, both apps idle. */
  idle: { seconds: number; cpuSeconds: Record<string, number>; databasePctOfCore: number; appsPctOfCore: number };
  /** Bytes on disk with the data loaded (SQLite: the database's files; PostgreSQL: the cluster folder), and the server's `dbStats` sizes when it answers them. */
  disk: { folders: Record<string, number>; totalBytes: number; dbStats?: Record<string, number> };
  /** Set when this backend/size could not run; the other fields are then empty. */
  error?: string;
  /** The backend could not be started at all (e.g. a stack without it): reported, not a failure. */
  unavailable?: boolean;
}

/** Result of the volume suite: one run per backend and size, in order. */
export interface VolumeResult {
  runs: VolumeRun[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `/health/ready` answers 200 (MongoDB ping, Kafka metadata, and for the notifications
 * app its consumers joined their groups).
 * @throws Error after `timeoutMs`
 */
async function waitReady(base: string, child: Child, timeoutMs = 120_000): Promise<void> {
  const agent = new http.Agent();
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.proc.exitCode !== null)
        throw new Error(`${child.name} exited (${child.proc.exitCode}); see bench/results/logs`);
      if ((await send(agent, { method: 'GET', url: `${base}/health/ready`, token: '' }, 5000)).status === 200) return;
      await sleep(250);
    }
  } finally {
    agent.destroy();
  }
  throw new Error(`${base}/health/ready not 200 within ${timeoutMs} ms`);
}

/**
 * Waits until every index of the apps' schemas exists (the apps build them at start-up, mongoose
 * `autoIndex`), so the pre-load pays index maintenance exactly like production writes do.
 * @throws Error after `timeoutMs`
 */
async function waitIndexes(ctx: SuiteContext, db: string, timeoutMs = 120_000): Promise<void> {
  const wanted: Array<[string, Schema]> = [
    ['notifications', NotificationSchema],
    ['messages', MessageSchema],
    ['conversations', ConversationSchema],
  ];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing: string[] = [];
    for (const [name, schema] of wanted) {
      const have = new Set(
        (
          await ctx.mongo
            .db(db)
            .collection(name)
            .listIndexes()
            .toArray()
            .catch(() => [])
        ).map((i) => JSON.stringify(i.key)),
      );
      for (const [keys] of schema.indexes())
        if (!have.has(JSON.stringify(keys))) missing.push(`${name} ${JSON.stringify(keys)}`);
    }
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`indexes not built within ${timeoutMs} ms: ${missing.join(', ')}`);
    await sleep(500);
  }
}

/** Inserts the volume data with unordered `insertMany` batches, stopping at the load time cap. */
async function preload(
  ctx: SuiteContext,
  db: string,
  data: VolumeData,
): Promise<Pick<VolumeRun, 'loaded' | 'partialLoad' | 'loadSeconds' | 'loadDocsPerSecond'>> {
  const { volumeBatch, volumeMaxLoadSeconds } = ctx.params;
  const d = ctx.mongo.db(db);
  const loaded = { notifications: 0, messages: 0, conversations: 0 };
  const t0 = performance.now();
  const deadline = t0 + volumeMaxLoadSeconds * 1000;
  let partialLoad = false;
  let nextLog = 0.1;
  const total = data.shape.notifications;
  for (const batch of data.batches(volumeBatch)) {
    await d.collection('messages').insertMany(batch.messages, { ordered: false });
    loaded.messages += batch.messages.length;
    await d.collection('notifications').insertMany(batch.notifications, { ordered: false });
    loaded.notifications += batch.notifications.length;
    if (loaded.notifications / total >= nextLog) {
      const s = (performance.now() - t0) / 1000;
      ctx.log(
        `    loaded ${loaded.notifications.toLocaleString('en-US')} notifications + messages in ${s.toFixed(0)} s (${Math.round((2 * loaded.notifications) / s)} docs/s)`,
      );
      nextLog += 0.1;
    }
    if (performance.now() > deadline && loaded.notifications < total) {
      partialLoad = true;
      ctx.log(
        `    load time cap (${volumeMaxLoadSeconds} s) reached: measuring at ${loaded.notifications} notifications`,
      );
      break;
    }
  }
  const dir = data.inboxBuckets();
  for (let i = 0; i < dir.length; i += volumeBatch)
    await d.collection('inbox_buckets').insertMany(dir.slice(i, i + volumeBatch) as never[], { ordered: false });
  const convs = data.conversations();
  for (let i = 0; i < convs.length; i += volumeBatch) {
    const part = convs.slice(i, i + volumeBatch);
    await d.collection('conversations').insertMany(part as never[], { ordered: false });
    loaded.conversations += part.length;
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  return {
    loaded,
    partialLoad,
    loadSeconds,
    loadDocsPerSecond: (loaded.notifications + loaded.messages + loaded.conversations) / loadSeconds,
  };
}

/** What the first inbox pages told about a sampled user (targets for the other endpoints). */
interface PageSample {
  user: string;
  token: string;
  cursor: string | null;
  items: Array<{ id: string; conversationId: string; messageId: string }>;
}

/**
 * Measures the eight endpoints, one keep-alive connection per app, each request alone. Users are
 * drawn by a seeded mix: half uniformly from the heaviest 1 % of inboxes, half uniformly from all,
 * so heavy inboxes are in every sample; percentiles are also kept for the heaviest 1 % (`heavy`)
 * and everyone else (`others`). The first inbox pages give the targets of the others:
 * their cursors (next page), one notification per page (PATCH read), distinct
 * (user, conversation) pairs (read-all of a conversation, history) and message ids (GET
 * /messages/:id), each used once while there are enough, then again from the start.
 */
async function measureEndpoints(
  ctx: SuiteContext,
  nBase: string,
  mBase: string,
  users: number,
): Promise<VolumeEndpointRun[]> {
  const { volumeRequests: count, volumeWarmup: warmup, volumeMaxSeconds: maxSeconds } = ctx.params;
  const random = seeded(VOLUME_SHAPE.seed + 1);
  const heavy = Math.max(1, Math.floor(users / 100));
  const tokens = new Map<string, string>();
  const userOf = new Map<string, string>();
  const token = (user: string): string => {
    let t = tokens.get(user);
    if (!t) {
      t = signToken(user, ctx.jwtSecret);
      tokens.set(user, t);
      userOf.set(t, user);
    }
    return t;
  };
  const group = (user: string): string => (Number(user.slice(3)) < heavy ? 'heavy' : 'others');
  const sampleUsers = Array.from({ length: count + warmup }, () =>
    volumeUser(random() < 0.5 ? pick(random, heavy) : pick(random, users)),
  );
  const nAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const mAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const runs: VolumeEndpointRun[] = [];
  const cycle =
    <T>(xs: T[], f: (x: T) => RequestSpec): ((i: number) => RequestSpec | undefined) =>
    (i) =>
      xs.length ? f(xs[i % xs.length]) : undefined;
  const run = async (
    name: VolumeEndpointName,
    agent: http.Agent,
    next: (i: number) => RequestSpec | undefined,
    onAnswer?: (i: number, a: Answer) => void,
  ): Promise<void> => {
    const tagged = (i: number): RequestSpec | undefined => {
      const spec = next(i);
      const user = spec && userOf.get(spec.token);
      return spec && user ? { ...spec, group: group(user) } : spec;
    };
    const r = await measureSequential({ agent, count, warmup, maxSeconds, next: tagged, onAnswer });
    runs.push({ name, ...r });
    ctx.log(
      `    ${VOLUME_ENDPOINTS[name].padEnd(50)} p50 ${r.p50Ms.toFixed(1).padStart(7)} ms  p99 ${r.p99Ms.toFixed(1).padStart(7)} ms  ` +
        `${r.requests}/${r.planned} requests${r.timeCapped ? ` (time cap ${maxSeconds} s)` : ''}${r.non2xx + r.errors ? `  FAILED ${r.non2xx + r.errors}: ${r.firstFailure}` : ''}`,
    );
  };
  try {
    const pages: PageSample[] = [];
    await run(
      'inbox',
      nAgent,
      (i) => ({ method: 'GET', url: `${nBase}/api/v1/notifications?limit=20`, token: token(sampleUsers[i]) }),
      (i, a) => {
        const body = a.json as { data?: PageSample['items']; nextCursor?: string | null } | undefined;
        if (a.status === 200 && body?.data)
          pages.push({
            user: sampleUsers[i],
            token: token(sampleUsers[i]),
            cursor: body.nextCursor ?? null,
            items: body.data,
          });
      },
    );
    const withCursor = pages.filter((p) => p.cursor);
    await run(
      'nextPage',
      nAgent,
      cycle(withCursor, (p) => ({
        method: 'GET',
        url: `${nBase}/api/v1/notifications?limit=20&after=${p.cursor}`,
        token: p.token,
      })),
    );
    await run('unreadCount', nAgent, (i) =>
      i < sampleUsers.length
        ? { method: 'GET', url: `${nBase}/api/v1/notifications/count?read=false`, token: token(sampleUsers[i]) }
        : undefined,
    );
    const items = pages.filter((p) => p.items.length).map((p) => ({ p, item: p.items[pick(random, p.items.length)] }));
    await run(
      'markRead',
      nAgent,
      cycle(items, ({ p, item }) => ({
        method: 'PATCH',
        url: `${nBase}/api/v1/notifications/${item.id}`,
        token: p.token,
        body: { read: true },
      })),
    );
    const pairs: Array<{ p: PageSample; conversationId: string }> = [];
    const seen = new Set<string>();
    for (let depth = 0; depth < 20 && pairs.length < count + warmup; depth++) {
      for (const p of pages) {
        const c = p.items[depth]?.conversationId;
        if (c && !seen.has(`${p.user} ${c}`)) {
          seen.add(`${p.user} ${c}`);
          pairs.push({ p, conversationId: c });
        }
      }
    }
    await run(
      'readAllConversation',
      nAgent,
      cycle(pairs, ({ p, conversationId }) => ({
        method: 'POST',
        url: `${nBase}/api/v1/notifications/read-all`,
        token: p.token,
        body: { conversationId },
      })),
    );
    await run('conversations', mAgent, (i) =>
      i < sampleUsers.length
        ? { method: 'GET', url: `${mBase}/api/v1/conversations?limit=20`, token: token(sampleUsers[i]) }
        : undefined,
    );
    await run(
      'history',
      mAgent,
      cycle(pairs, ({ p, conversationId }) => ({
        method: 'GET',
        url: `${mBase}/api/v1/conversations/${conversationId}/messages?limit=20`,
        token: p.token,
      })),
    );
    await run(
      'message',
      mAgent,
      cycle(items, ({ p, item }) => ({
        method: 'GET',
        url: `${mBase}/api/v1/messages/${item.messageId}`,
        token: p.token,
      })),
    );
  } finally {
    nAgent.destroy();
    mAgent.destroy();
  }
  return runs;
}

/** Database and app CPU over `seconds` with nothing asked of them, as % of one core. */
async function idleCpu(backend: Backend, apps: Child[], seconds: number): Promise<VolumeRun['idle']> {
  const dbPids = databasePids(backend);
  const read = (): Record<string, number> => ({
    ...Object.fromEntries(Object.entries(dbPids).map(([k, pid]) => [k, treeCpuMs(pid)])),
    ...Object.fromEntries(apps.map((a) => [`app:${a.name}`, cpuMs(a.proc.pid)])),
  });
  const start = read();
  await sleep(seconds * 1000);
  const end = read();
  const cpuSeconds = Object.fromEntries(Object.keys(start).map((k) => [k, (end[k] - start[k]) / 1000]));
  const pct = (keys: string[]): number => (100 * keys.reduce((n, k) => n + cpuSeconds[k], 0)) / seconds;
  return {
    seconds,
    cpuSeconds,
    databasePctOfCore: pct(Object.keys(dbPids)),
    appsPctOfCore: pct(Object.keys(cpuSeconds).filter((k) => k.startsWith('app:'))),
  };
}

/** Data folder bytes, plus `dbStats` (MongoDB command; FerretDB answers it too) when available. */
async function diskUsage(ctx: SuiteContext, backend: Backend, db: string): Promise<VolumeRun['disk']> {
  // SQLite: this database's own files (`<db>.sqlite`, `-wal`, `-shm`; other databases share the folder);
  // PostgreSQL: the whole cluster folder (WAL included), and dbStats for the database alone.
  const folders = Object.fromEntries(
    dataFolders(backend).map((f) =>
      backend === 'sqlite'
        ? [path.join(f, `${db}.sqlite*`).replace(`${ROOT}/`, ''), filesBytes(f, `${db}.sqlite`)]
        : [f.replace(`${ROOT}/`, ''), folderBytes(f)],
    ),
  );
  let dbStats: Record<string, number> | undefined;
  try {
    const s = (await ctx.mongo.db(db).command({ dbStats: 1 })) as Record<string, unknown>;
    dbStats = Object.fromEntries(
      ['dataSize', 'storageSize', 'indexSize', 'totalSize', 'objects']
        .filter((k) => typeof s[k] === 'number')
        .map((k) => [k, s[k] as number]),
    );
  } catch {
    dbStats = undefined;
  }
  return { folders, totalBytes: Object.values(folders).reduce((a, b) => a + b, 0), dbStats };
}

const port = async (env: string | undefined): Promise<number> => (env ? Number(env) : freePort());

async function volumeOnce(ctx: SuiteContext, backend: Backend, size: number): Promise<VolumeRun> {
  const users = ctx.params.volumeUsers;
  const db = `bench_volume_${size}`;
  const data = new VolumeData({ ...VOLUME_SHAPE, notifications: size, users });
  const sorted = [...data.sizes];
  const inbox = { largest: sorted[0] ?? 0, median: median(sorted), over10k: sorted.filter((n) => n >= 10_000).length };
  ctx.log(
    `  ${backend}, ${size.toLocaleString('en-US')} notifications over ${users} users (largest inbox ${inbox.largest}, median ${inbox.median}, ${inbox.over10k} with ≥ 10,000)`,
  );
  await freshDb(ctx, db);
  const nPort = await port(process.env.BENCH_NOTIFICATIONS_PORT);
  const mPort = await port(process.env.BENCH_MESSAGES_PORT);
  const nBase = `http://127.0.0.1:${nPort}`;
  const mBase = `http://127.0.0.1:${mPort}`;
  const apps: Child[] = [];
  const start = async (phase: string): Promise<void> => {
    apps.push(
      startNode({
        name: 'notifications',
        script: appEntry('notifications'),
        logName: `volume-notifications-${backend}-${size}-${phase}-${ctx.stamp}`,
        env: heraldEnv(ctx, db, { NOTIFICATIONS_PORT: String(nPort) }),
      }),
    );
    apps.push(
      startNode({
        name: 'messages',
        script: appEntry('messages'),
        logName: `volume-messages-${backend}-${size}-${phase}-${ctx.stamp}`,
        env: heraldEnv(ctx, db, { MESSAGES_PORT: String(mPort) }),
      }),
    );
    await waitHttp(`${nBase}/health/live`, apps[0]);
    await waitHttp(`${mBase}/health/live`, apps[1]);
  };
  const stop = async (): Promise<void> => {
    for (const app of apps.splice(0).reverse()) await app.stop();
  };
  try {
    // The apps build their indexes at start-up; they are stopped during the load so that their
    // periodic work (outbox relay, retention sweep) does not compete with it, then started again.
    await start('indexes');
    await waitIndexes(ctx, db);
    await stop();
    const load = await preload(ctx, db, data);
    ctx.log(
      `    pre-load: ${load.loaded.notifications} notifications, ${load.loaded.messages} messages, ${load.loaded.conversations} conversations ` +
        `in ${load.loadSeconds.toFixed(1)} s (${Math.round(load.loadDocsPerSecond)} documents/s)`,
    );
    await start('measure');
    await waitReady(nBase, apps[0]);
    await waitReady(mBase, apps[1]);
    const endpoints = await measureEndpoints(ctx, nBase, mBase, users);
    const idle = await idleCpu(backend, apps, ctx.params.volumeIdleSeconds);
    const disk = await diskUsage(ctx, backend, db);
    ctx.log(
      `    idle database CPU ${idle.databasePctOfCore.toFixed(2)} % of a core over ${idle.seconds} s (apps ${idle.appsPctOfCore.toFixed(2)} %); ` +
        `data folders ${(disk.totalBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    return { backend, size, users, ...load, inbox, endpoints, idle, disk };
  } finally {
    await stop();
    await ctx.mongo
      .db(db)
      .dropDatabase()
      .catch(() => undefined);
  }
}

/**
 * The product at volume (issue #18): for each backend (`--backends`, the bench stack's FerretDB
 * restarted on each in turn) and each size (`--volume-sizes`), a fresh database gets the apps'
 * indexes (both compiled apps started on it, then stopped for the load), then notifications for `volumeUsers` users with a
 * seeded power-law of inbox sizes, their messages and conversations, inserted straight with the
 * driver; then each endpoint's latency over `volumeRequests` sequential requests (capped at
 * `volumeMaxSeconds` s), the database's idle CPU over `volumeIdleSeconds` s and its disk use. A
 * backend that cannot start is recorded with its error and the suite goes on.
 */
export async function volumeSuite(ctx: SuiteContext): Promise<VolumeResult> {
  const { volumeSizes, volumeRequests, partitions } = ctx.params;
  const backends: Backend[] =
    ctx.servers.kind === 'external'
      ? ['external']
      : ctx.params.backends.length
        ? ctx.params.backends
        : [ctx.servers.backend];
  ctx.log(`volume: sizes ${volumeSizes.join(', ')} on ${backends.join(', ')}, ${volumeRequests} requests per endpoint`);
  await resetTopics(ctx.admin, partitions, [NOTIFICATIONS_GROUP_ID]);
  const runs: VolumeRun[] = [];
  for (const backend of backends) {
    try {
      await ctx.servers.useBackend(backend);
      databasePids(backend);
    } catch (err) {
      const error = (err as Error).message;
      ctx.log(`  backend ${backend} not available: ${error}`);
      for (const size of volumeSizes)
        runs.push({ ...emptyRun(backend, size, ctx.params.volumeUsers, error), unavailable: true });
      continue;
    }
    for (const size of volumeSizes) {
      try {
        runs.push(await volumeOnce(ctx, backend, size));
      } catch (err) {
        const error = (err as Error).message;
        ctx.log(`  ${backend} ${size} failed: ${error}`);
        runs.push(emptyRun(backend, size, ctx.params.volumeUsers, error));
      }
    }
  }
  return { runs };
}

function emptyRun(backend: Backend, size: number, users: number, error: string): VolumeRun {
  return {
    backend,
    size,
    users,
    loaded: { notifications: 0, messages: 0, conversations: 0 },
    partialLoad: false,
    loadSeconds: NaN,
    loadDocsPerSecond: NaN,
    inbox: { largest: 0, median: 0, over10k: 0 },
    endpoints: [],
    idle: { seconds: 0, cpuSeconds: {}, databasePctOfCore: NaN, appsPctOfCore: NaN },
    disk: { folders: {}, totalBytes: NaN },
    error,
  };
}
