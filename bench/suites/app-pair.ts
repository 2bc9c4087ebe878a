import { Consumer } from 'kafkajs';
import { Topics } from '@herald/contracts';
import { CONVERSATIONS_GROUP_ID } from '../../apps/messages/src/messages.settings';
import { NOTIFICATIONS_GROUP_ID } from '../../apps/notifications/src/notifications.settings';
import { CpuMeter, serverPids } from '../lib/cpu';
import { benchUser } from '../lib/events';
import { waitGroupAssigned } from '../lib/kafka';
import { openLoop, SentRequest } from '../lib/load';
import { appEntry, Child, freePort, startNode, waitHttp } from '../lib/procs';
import { HeapSampler } from '../lib/heap';
import { RssSample, RssSampler } from '../lib/rss';
import { signToken } from '../lib/token';
import { ArrivalLedger } from '../lib/arrival-ledger';
import { emptyTopics, freshDb, heraldEnv, SuiteContext } from './context';

/** Unanswered requests at which a load phase counts as overloaded and stops sending. */
export const MAX_OUTSTANDING = 1000;
/** Warm-up rate cap (messages/s): warms connections and JIT without overloading a slow server. */
export const WARMUP_RATE = 20;
/**
 * After a phase's last answer, its notifications still on their way are awaited until none arrived
 * for ARRIVAL_STALL_MS (a drained backlog after an overload can take longer than that in total),
 * at most ARRIVAL_MAX_MS.
 */
export const ARRIVAL_STALL_MS = 15_000;
const ARRIVAL_MAX_MS = 180_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One notification's latency: from its POST's due time to its `notification.created` arrival (ms). */
export interface ArrivalLatency {
  /** Due time of the POST, ms after the phase started. */
  dueS: number;
  ms: number;
}

/** What one load phase of an {@link AppPair} measured. */
export interface PhaseResult {
  rate: number;
  seconds: number;
  sent: SentRequest[];
  /** 2xx answers. */
  accepted: number;
  /** Notifications expected (2 per accepted message) and received within the arrival timeout. */
  expected: number;
  received: number;
  latencies: ArrivalLatency[];
  /**
   * What the database holds once the phase's arrivals are in (or stalled), over every phase of this
   * pair so far: notification-recipient pairs stored (a notification and each message folded into
   * it: `1 + folded`) and pairs due (2 per stored message). `stored < storedExpected` is a loss in
   * the app, not in the push path or its counting.
   */
  stored: number;
  storedExpected: number;
  /** HTTP answer latency of the accepted POSTs from their due time (ms). */
  httpMs: number[];
  non2xx: number;
  errors: number;
  /** Accepted messages per second (first due → last answer). */
  achievedRate: number;
  notSent: number;
  stoppedAfterS: number;
  /** CPU seconds per process from the phase's start until its last notification arrived. */
  cpuSeconds: Record<string, number>;
  /** RSS of both apps (`messages`, `notifications`) during the phase. */
  rss: RssSample[];
  /** V8 heap in use of both apps (their `/metrics`), sampled with the RSS. */
  heap: RssSample[];
}

/**
 * Senders of the end-to-end load: `senders` users (`user-0000`…), each writing to its own two
 * recipients, so the load spreads over as many conversations (Kafka key of `message.created`) and
 * recipients (key of `notification.created`) as senders, round-robin, as real traffic does.
 */
export function senderPlan(
  senders: number,
  jwtSecret: string,
): {
  headers: (seq: number) => Record<string, string>;
  body: (phase: string, seq: number) => string;
  recipients: (seq: number) => string[];
} {
  const tokens = Array.from({ length: senders }, (_, k) => signToken(benchUser(k), jwtSecret));
  const recipients = Array.from({ length: senders }, (_, k) => [
    benchUser(senders + 2 * k),
    benchUser(senders + 2 * k + 1),
  ]);
  return {
    headers: (seq) => ({ 'content-type': 'application/json', authorization: `Bearer ${tokens[seq % senders]}` }),
    body: (phase, seq) =>
      JSON.stringify({
        recipientIds: recipients[seq % senders],
        body: `e2e ${phase} ${seq} lunch at noon? Bring the slides.`,
      }),
    recipients: (seq) => recipients[seq % senders],
  };
}

/**
 * Both compiled Herald apps (messages + notifications) on one fresh database and freshly created
 * (empty) topics, plus a benchmark
 * consumer (own group) on `notification.created` that records when each notification arrived.
 * Shared by the end-to-end and soak suites.
 */
export class AppPair {
  private readonly ledger = new ArrivalLedger();
  private constructor(
    private readonly ctx: SuiteContext,
    private readonly db: string,
    private readonly apps: Child[],
    private readonly consumer: Consumer,
    private readonly url: string,
    private readonly metricsUrls: Record<string, string>,
  ) {}

  /**
   * Starts the listener, then both apps on database `db`, and waits until both answer HTTP and
   * group `notifications` has its partitions.
   * @param name tag of log files and of the listener's consumer group
   */
  static async start(ctx: SuiteContext, name: string, db: string): Promise<AppPair> {
    await freshDb(ctx, db);
    // Empty topics for every pair: groups `notifications` and `conversations` would otherwise first
    // replay every earlier pair's `message.created` records while this pair is being measured.
    await emptyTopics(ctx, [NOTIFICATIONS_GROUP_ID, CONVERSATIONS_GROUP_ID]);
    const [mPort, nPort] = [await freePort(), await freePort()];
    const groupId = `bench-${name}-${ctx.stamp}`;
    const consumer = ctx.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const apps: Child[] = [];
    const pair = new AppPair(ctx, db, apps, consumer, `http://127.0.0.1:${mPort}/api/v1/messages`, {
      messages: `http://127.0.0.1:${mPort}/metrics`,
      notifications: `http://127.0.0.1:${nPort}/metrics`,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: Topics.NotificationCreated, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => pair.record(batch.messages.map((m) => m.value?.toString() ?? '{}')),
      });
      await waitGroupAssigned(ctx.admin, groupId);
      apps.push(
        startNode({
          name: 'notifications',
          script: appEntry('notifications'),
          logName: `${name}-notifications-${ctx.stamp}`,
          env: heraldEnv(ctx, db, { NOTIFICATIONS_PORT: String(nPort) }),
        }),
      );
      apps.push(
        startNode({
          name: 'messages',
          script: appEntry('messages'),
          logName: `${name}-messages-${ctx.stamp}`,
          env: heraldEnv(ctx, db, { MESSAGES_PORT: String(mPort) }),
        }),
      );
      await waitHttp(`http://127.0.0.1:${nPort}/api/v1/notifications`, apps[0]);
      await waitHttp(pair.url, apps[1]);
      await waitGroupAssigned(ctx.admin, NOTIFICATIONS_GROUP_ID);
      return pair;
    } catch (err) {
      await pair.stop();
      throw err;
    }
  }

  /** Pids of the two apps, by name. */
  get pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.apps.map((a) => [a.name, a.proc.pid]));
  }

  private record(values: string[]): void {
    const at = performance.now();
    for (const v of values) this.ledger.record(v, at);
  }

  /** Waits until the pushes cover `expected` messages in all (see {@link ARRIVAL_STALL_MS}). */
  private async waitArrivals(expected: number): Promise<void> {
    const count = (): number => this.ledger.total;
    const cap = Date.now() + ARRIVAL_MAX_MS;
    let last = count();
    let progressAt = Date.now();
    while (count() < expected && Date.now() < cap && Date.now() - progressAt < ARRIVAL_STALL_MS) {
      await sleep(100);
      if (count() > last) [last, progressAt] = [count(), Date.now()];
    }
  }

  /**
   * Open-loop load of `rate` messages/s for `seconds` s from `senders` senders (see
   * {@link senderPlan}), then waits for every notification of the phase (see {@link ARRIVAL_STALL_MS}).
   * @param phase tag written into the bodies (no spaces), unique per phase
   * @param rssIntervalMs RSS and heap sampling period of both apps (ms)
   */
  async load(
    phase: string,
    rate: number,
    seconds: number,
    senders: number,
    rssIntervalMs = 5000,
  ): Promise<PhaseResult> {
    const plan = senderPlan(senders, this.ctx.jwtSecret);
    const cpu = new CpuMeter({ ...serverPids(), ...this.pids });
    const rss = new RssSampler(this.pids, rssIntervalMs);
    const heap = new HeapSampler(this.metricsUrls, rssIntervalMs);
    for (const app of this.apps) {
      if (app.proc.exitCode !== null || app.proc.signalCode !== null)
        throw new Error(`${app.name} exited; see bench/results/logs`);
    }
    const { sent, notSent, stoppedAfterS } = await openLoop({
      url: this.url,
      headers: plan.headers,
      rate,
      seconds,
      maxOutstanding: MAX_OUTSTANDING,
      body: (seq) => plan.body(phase, seq),
    });
    const ok = sent.filter((s) => s.status >= 200 && s.status < 300);
    await this.waitArrivals(this.ledger.settledTotal + 2 * ok.length);
    const arrivals = this.settleArrivals(ok, plan.recipients);
    const received = [...arrivals.values()].reduce((n, list) => n + list.length, 0);
    const { stored, storedExpected } = await this.storedPairs();
    const cpuSeconds = cpu.stop();
    const samples = rss.stop();
    const heapSamples = await heap.stop();
    const t0 = sent[0]?.dueAt ?? 0;
    const latencies = ok.flatMap((s) =>
      (arrivals.get(s.seq) ?? []).map((at) => ({ dueS: (s.dueAt - t0) / 1000, ms: at - s.dueAt })),
    );
    const window = ok.length ? ok.reduce((m, s) => Math.max(m, s.doneAt), -Infinity) - t0 : NaN;
    return {
      rate,
      seconds,
      sent,
      accepted: ok.length,
      expected: 2 * ok.length,
      received,
      latencies,
      stored,
      storedExpected,
      httpMs: ok.map((s) => s.doneAt - s.dueAt),
      non2xx: sent.filter((s) => s.status !== 0 && (s.status < 200 || s.status >= 300)).length,
      errors: sent.filter((s) => s.error).length,
      achievedRate: ok.length / (window / 1000),
      notSent,
      stoppedAfterS,
      cpuSeconds,
      rss: samples,
      heap: heapSamples,
    };
  }

  /**
   * When each accepted message of a phase reached each of its recipients (see {@link ArrivalLedger}):
   * per recipient, its messages in the order their POSTs were answered.
   * @returns message seq → arrival times (`performance.now()`), one per recipient reached
   */
  private settleArrivals(ok: SentRequest[], recipientsOf: (seq: number) => string[]): Map<number, number[]> {
    const byRecipient = new Map<string, SentRequest[]>();
    for (const s of ok) {
      for (const r of recipientsOf(s.seq)) {
        const list = byRecipient.get(r);
        if (list) list.push(s);
        else byRecipient.set(r, [s]);
      }
    }
    const arrivals = new Map<number, number[]>();
    for (const [recipient, list] of byRecipient) {
      list.sort((a, b) => a.doneAt - b.doneAt);
      this.ledger.settle(recipient, list.length).forEach((at, i) => {
        if (at === undefined) return;
        const seq = list[i].seq;
        const times = arrivals.get(seq);
        if (times) times.push(at);
        else arrivals.set(seq, [at]);
      });
    }
    return arrivals;
  }

  /**
   * Notification-recipient pairs stored in the pair's database (each notification counts `1 +
   * folded`) and pairs due (2 per stored message: every message has two recipients, none its
   * sender, no mentions; a message stored despite a refused POST counts too).
   */
  private async storedPairs(): Promise<{ stored: number; storedExpected: number }> {
    const db = this.ctx.mongo.db(this.db);
    const [docs, messages] = await Promise.all([
      db
        .collection<{ folded?: number }>('notifications')
        .find({}, { projection: { folded: 1 } })
        .toArray(),
      db.collection('messages').countDocuments({}),
    ]);
    return { stored: docs.reduce((n, d) => n + 1 + (d.folded ?? 0), 0), storedExpected: 2 * messages };
  }

  /** A gentle warm-up (≤ {@link WARMUP_RATE}/s for `seconds` s): connections, JIT, caches. */
  async warmUp(phase: string, rate: number, seconds: number, senders: number): Promise<void> {
    if (seconds > 0) await this.load(phase, Math.min(rate, WARMUP_RATE), seconds, senders);
  }

  /** Stops the listener and both apps, and drops the database. */
  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    for (const app of [...this.apps].reverse()) await app.stop();
    await this.ctx.mongo
      .db(this.db)
      .dropDatabase()
      .catch(() => undefined);
  }
}
