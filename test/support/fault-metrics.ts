import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mongo } from 'mongoose';
import { waitFor } from './wait';

/** One message a test caused and the users who must each get exactly one notification for it. */
export interface Expected {
  messageId: string;
  recipients: readonly string[];
}

/** What the `notifications` collection holds for a test's recipients, against what it expected. */
export interface NotificationCount {
  /** Notifications stored for the test's recipients. */
  stored: number;
  /** Distinct (messageId, recipientId) pairs among them that were expected. */
  delivered: number;
  /** Expected pairs with no notification. */
  lost: number;
  /**
   * stored − distinct (messageId, recipientId): catches a second notification for the same message
   * and recipient, whether under the same eventId (impossible with the unique index) or under two
   * eventIds (a message published as two different events).
   */
  duplicated: number;
  /** Stored pairs nobody expected (e.g. a notification for the sender). */
  unexpected: number;
}

/**
 * Runs `body` with a MongoDB client on `uri` (the driver mongoose bundles) and closes it.
 * Short server-selection timeout: during an outage the call fails fast and pollers retry.
 */
export async function withMongo<T>(uri: string, body: (db: mongo.Db) => Promise<T>): Promise<T> {
  const client = new mongo.MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
  try {
    await client.connect();
    return await body(client.db());
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Drops the test's own database (a fresh start for each fault test file). */
export async function dropDatabase(uri: string): Promise<void> {
  await withMongo(uri, (db) => db.dropDatabase());
}

/** Counts the notifications of the expected recipients in the `notifications` collection. */
export async function countNotifications(uri: string, expected: readonly Expected[]): Promise<NotificationCount> {
  const recipients = [...new Set(expected.flatMap((e) => e.recipients))];
  const want = new Set(expected.flatMap((e) => e.recipients.map((r) => `${e.messageId}|${r}`)));
  const docs = await withMongo(uri, (db) =>
    db
      .collection('notifications')
      .find({ recipientId: { $in: recipients } }, { projection: { _id: 0, messageId: 1, recipientId: 1 } })
      .toArray(),
  );
  const pairs = new Set(docs.map((d) => `${d.messageId as string}|${d.recipientId as string}`));
  const delivered = [...pairs].filter((p) => want.has(p)).length;
  return {
    stored: docs.length,
    delivered,
    lost: want.size - delivered,
    duplicated: docs.length - pairs.size,
    unexpected: pairs.size - delivered,
  };
}

/**
 * Waits until every expected notification is stored (or `timeoutMs` passes), then waits
 * `settleMs` more and counts again, so late duplicates are seen too.
 * @returns the final count (the caller asserts on it: a timeout is reported as losses, not thrown)
 */
export async function awaitNotifications(
  uri: string,
  expected: readonly Expected[],
  { timeoutMs = 180_000, settleMs = 3000 } = {},
): Promise<NotificationCount> {
  const want = expected.reduce((n, e) => n + e.recipients.length, 0);
  await waitFor(
    () => countNotifications(uri, expected),
    (c) => c.delivered >= want,
    { timeoutMs, intervalMs: 1000, what: `${want} notifications` },
  ).catch(() => undefined);
  await new Promise((r) => setTimeout(r, settleMs));
  return countNotifications(uri, expected);
}

/** Figures of one fault test, as printed and appended to reports/faults.jsonl. */
export interface FaultFigures {
  /** Short name, e.g. `consumer-crash`. */
  fault: string;
  /** Messages (or events) the test sent. */
  sent: number;
  /** Notifications expected (Σ recipients). */
  expected: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** Records of this test that ended in `message.created.dlq`. */
  dlq: number;
  /** Wall-clock duration of the test, in seconds. */
  seconds: number;
  /** Fault-specific figures (kill point, outage length, duplicate events...). */
  details?: Record<string, string | number | boolean>;
}

const REPORT = join(resolve(__dirname, '..', '..'), 'reports', 'faults.jsonl');

/**
 * Prints one line `fault <name>: sent=… stored=… lost=… duplicated=… dlq=… (…s) k=v…` and appends
 * the figures as a JSON line to reports/faults.jsonl (read by scripts/faults-report.js).
 */
export function reportFault(f: FaultFigures): void {
  const extra = Object.entries(f.details ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const line = `fault ${f.fault}: sent=${f.sent} stored=${f.stored} lost=${f.lost} duplicated=${f.duplicated} dlq=${f.dlq} (${f.seconds.toFixed(1)}s)${extra ? ` ${extra}` : ''}`;
  process.stdout.write(`${line}\n`);
  mkdirSync(join(REPORT, '..'), { recursive: true });
  appendFileSync(
    REPORT,
    `${JSON.stringify({ ...f, seconds: Number(f.seconds.toFixed(1)), at: new Date().toISOString() })}\n`,
  );
}

/** Notifications stored for `recipients` (any message), for kill-at-a-point triggers. */
export function countStored(uri: string, recipients: readonly string[]): Promise<number> {
  return withMongo(uri, (db) =>
    db.collection('notifications').countDocuments({ recipientId: { $in: [...recipients] } }),
  );
}

/** Resolves once at least `threshold` notifications are stored for `recipients` (polls every 300 ms). */
export async function whenStored(
  uri: string,
  recipients: readonly string[],
  threshold: number,
  timeoutMs = 300_000,
): Promise<number> {
  return waitFor(
    () => countStored(uri, recipients),
    (n) => n >= threshold,
    { timeoutMs, intervalMs: 300, what: `${threshold} stored notifications` },
  );
}
