import { Topics } from '@herald/contracts';
import { testServers, uniqueUser } from './env';
import { dropDatabase, Expected, FaultFigures, NotificationCount, reportFault, withMongo } from './fault-metrics';
import { isolatedGroup, IsolatedGroup } from './consumer-group';
import { dlqRecordsOf, Offsets, scanTopic, topicEnds } from './kafka-probe';
import { Cast, makeCast } from './load';
import { faultDatabaseUri, stopAllApps } from './processes';
import { ensureServerUp, StackServer } from './stack';
import { waitFor } from './wait';

/** What one fault test file shares between its hooks and its tests (see {@link faultFixture}). */
export interface FaultFixture {
  /** The file's own database, `herald_fault_<name>` on the test servers (dropped before the tests). */
  readonly uri: string;
  /** End offsets of `message.created.dlq` before the tests. */
  readonly dlqFrom: Offsets;
  /** End offsets of `message.created` before the tests. */
  readonly topicFrom: Offsets;
  /** The file's own consumer group on `message.created` (`group.env` for its notifications apps). */
  readonly group: IsolatedGroup;
  /**
   * A {@link Cast} of `conversations` senders with ids prefixed by a unique tag made of `prefix`;
   * at the end, the records carrying that tag are handed back to group `notifications`.
   */
  cast(prefix: string, conversations?: number): Promise<Cast>;
  /** How many `message.created.dlq` records carrying `tag` arrived since {@link dlqFrom}. */
  dlqCount(tag: string): Promise<number>;
  /**
   * The `data.messageId` of every `message.created` record carrying `tag` since {@link topicFrom},
   * in topic order, duplicates kept (publishing is at least once).
   */
  eventMessageIds(tag: string): Promise<string[]>;
  /** The messages stored in the file's database from `senders`: each id with its recipients. */
  storedMessages(senders: readonly string[]): Promise<Expected[]>;
  /**
   * Waits up to 60 s for the file's `outbox` collection to be empty (the relay published every entry).
   * @returns 0 once empty, -1 when it never was
   */
  outboxDrained(intervalMs: number, what: string): Promise<number>;
  /**
   * {@link reportFault} of a test that began at `t0` (epoch ms): the count's stored, lost and
   * duplicated figures, and the seconds since `t0`.
   */
  report(
    t0: number,
    figures: Omit<FaultFigures, 'stored' | 'lost' | 'duplicated' | 'seconds'> & { count: NotificationCount },
  ): void;
}

/** Options of {@link faultFixture}. */
export interface FaultFixtureOptions {
  /** Servers of the shared stack the file stops: started again in `afterAll`, whatever happened. */
  restore?: StackServer[];
  /** Timeout of the `afterAll` hook (ms): stopping the apps and releasing the group. */
  teardownTimeoutMs?: number;
}

/**
 * Registers the hooks every fault test file needs and returns what they set up. `beforeAll`: drop
 * the file's database, note the end offsets of `message.created` and its DLQ, create the file's
 * consumer group at the end of `message.created` ({@link isolatedGroup}). `afterAll`: start the
 * stopped servers again ({@link FaultFixtureOptions.restore}), stop every app the file started,
 * delete the group and hand the file's records back to group `notifications`.
 *
 * Call it at the top of a `describe`; hooks the file declares after it run after these.
 * @param name the file's name: the group is `notifications-fault-<name>-…`, the database
 *   `herald_fault_<name>` (`-` as `_`)
 */
export function faultFixture(name: string, options: FaultFixtureOptions = {}): FaultFixture {
  const uri = faultDatabaseUri(testServers().MONGODB_URI, name);
  const tags: string[] = [];
  let dlqFrom: Offsets | undefined;
  let topicFrom: Offsets | undefined;
  let group: IsolatedGroup | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`fault fixture ${name}: ${what} is set in beforeAll`);
    return value;
  };

  beforeAll(async () => {
    await dropDatabase(uri);
    dlqFrom = await topicEnds(Topics.MessageCreatedDlq);
    topicFrom = await topicEnds(Topics.MessageCreated);
    group = await isolatedGroup(name, Topics.MessageCreated);
  }, 60_000);

  afterAll(async () => {
    for (const server of options.restore ?? []) await ensureServerUp(server); // never leave the shared stack down
    await stopAllApps();
    await group?.release(...tags);
  }, options.teardownTimeoutMs ?? 120_000);

  return {
    uri,
    get dlqFrom() {
      return ready(dlqFrom, 'dlqFrom');
    },
    get topicFrom() {
      return ready(topicFrom, 'topicFrom');
    },
    get group() {
      return ready(group, 'group');
    },
    async cast(prefix, conversations) {
      const cast = await makeCast(uniqueUser(prefix), conversations);
      tags.push(cast.tag);
      return cast;
    },
    async dlqCount(tag) {
      return (await dlqRecordsOf(Topics.MessageCreatedDlq, ready(dlqFrom, 'dlqFrom'), tag)).length;
    },
    async eventMessageIds(tag) {
      const records = await scanTopic(
        Topics.MessageCreated,
        ready(topicFrom, 'topicFrom'),
        (r) => r.value !== null && r.value.includes(tag),
      );
      return records.map((r) => (JSON.parse(r.value!.toString()) as { data: { messageId: string } }).data.messageId);
    },
    async storedMessages(senders) {
      const stored = await withMongo(uri, (db) =>
        db
          .collection('messages')
          .find({ senderId: { $in: [...senders] } }, { projection: { recipientIds: 1 } })
          .toArray(),
      );
      return stored.map((m) => ({ messageId: m._id.toHexString(), recipients: m.recipientIds as string[] }));
    },
    outboxDrained(intervalMs, what) {
      return waitFor(
        () => withMongo(uri, (db) => db.collection('outbox').countDocuments({})),
        (n) => n === 0,
        { timeoutMs: 60_000, intervalMs, what },
      ).catch(() => -1);
    },
    report(t0, { count, ...figures }) {
      reportFault({
        ...figures,
        stored: count.stored,
        lost: count.lost,
        duplicated: count.duplicated,
        seconds: (Date.now() - t0) / 1000,
      });
    },
  };
}
