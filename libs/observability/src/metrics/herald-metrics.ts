import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds buckets of the HTTP request duration histogram (5 ms .. 10 s). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Buckets of the group-commit size histogram, in messages. */
export const GROUP_COMMIT_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/** Reads the outbox backlog (messages still `pending`) when Prometheus scrapes. */
export type BacklogSource = () => number | Promise<number>;

/**
 * Herald's Prometheus metrics of one app, in that app's own {@link Registry} (two apps in one
 * process, as in the e2e tests, never share or clash), with default process metrics and the
 * label `app` on every series. Served at `GET /metrics`.
 *
 * Counters (monotonic, `_total`): increment them where the thing happens, e.g.
 * `metrics.published(Topics.MessageCreated)`. Gauges are set or read at scrape time.
 */
@Injectable()
export class HeraldMetrics {
  readonly registry = new Registry();

  /** `herald_http_request_duration_seconds{method,route,status}`: every HTTP response. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** `herald_events_published_total{topic}`: events acknowledged by Kafka. */
  readonly eventsPublished: Counter<'topic'>;
  /** `herald_publish_failures_total{topic}`: publish attempts that failed or timed out. */
  readonly publishFailures: Counter<'topic'>;
  /** `herald_events_consumed_total{topic}`: records handled by a consumer (stored, duplicate or dead-lettered). */
  readonly eventsConsumed: Counter<'topic'>;
  /** `herald_events_dead_lettered_total{topic,reason}`: records moved to `<topic>.dlq`. */
  readonly eventsDeadLettered: Counter<'topic' | 'reason'>;
  /** `herald_notifications_stored_total`: notifications inserted (duplicates not counted). */
  readonly notificationsStored: Counter<never>;
  /** `herald_outbox_backlog`: messages whose event is still pending, read at scrape time. */
  readonly outboxBacklog: Gauge<never>;
  /** `herald_consumer_lag{topic,partition}`: high watermark minus committed offset. */
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  /**
   * `herald_group_commit_messages`: messages per group commit of the write path (one outbox write,
   * one insertMany, one produce call each).
   */
  readonly groupCommitSize: Histogram<never>;
  /**
   * `herald_group_commit_stage_seconds{stage}`: time of each step of one group commit: `outbox`
   * (entry written), `insert` (messages stored), `wait` (for the previous group's publish, the
   * pipeline's ordering), `publish` (Kafka acknowledged or the timeout handed it to the relay).
   */
  readonly groupCommitStageDuration: Histogram<'stage'>;

  private backlogSource?: BacklogSource;

  constructor(appName = 'herald') {
    this.registry.setDefaultLabels({ app: appName });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.httpRequestDuration = new Histogram({
      name: 'herald_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    });
    this.eventsPublished = new Counter({
      name: 'herald_events_published_total',
      help: 'Events acknowledged by Kafka',
      labelNames: ['topic'],
      registers,
    });
    this.publishFailures = new Counter({
      name: 'herald_publish_failures_total',
      help: 'Event publish attempts that failed or timed out',
      labelNames: ['topic'],
      registers,
    });
    this.eventsConsumed = new Counter({
      name: 'herald_events_consumed_total',
      help: 'Kafka records handled by a consumer',
      labelNames: ['topic'],
      registers,
    });
    this.eventsDeadLettered = new Counter({
      name: 'herald_events_dead_lettered_total',
      help: 'Kafka records moved to a dead-letter topic',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.notificationsStored = new Counter({
      name: 'herald_notifications_stored_total',
      help: 'Notifications inserted into MongoDB',
      registers,
    });
    const backlog = (): number | Promise<number> | undefined => this.backlogSource?.(); // `this` below is the gauge
    this.outboxBacklog = new Gauge({
      name: 'herald_outbox_backlog',
      help: 'Messages whose message.created event is not yet acknowledged by Kafka',
      registers,
      async collect() {
        try {
          const pending = backlog();
          if (pending !== undefined) this.set(await pending);
        } catch {
          // Scrapes must not fail because MongoDB is down; the last value stays.
        }
      },
    });
    this.consumerLag = new Gauge({
      name: 'herald_consumer_lag',
      help: 'Consumer lag in records, per partition',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.groupCommitSize = new Histogram({
      name: 'herald_group_commit_messages',
      help: 'Messages stored and published together by one group commit',
      buckets: GROUP_COMMIT_BUCKETS,
      registers,
    });
    this.groupCommitStageDuration = new Histogram({
      name: 'herald_group_commit_stage_seconds',
      help: 'Seconds spent in each step of a group commit (outbox, insert, wait, publish)',
      labelNames: ['stage'],
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    });
  }

  /** Records one group commit of `n` messages. */
  groupCommitted(n: number): void {
    this.groupCommitSize.observe(n);
  }

  /**
   * Starts timing one group commit.
   * @returns a function that records the time since the previous call (or the start) under `stage`
   */
  groupCommitStage(): (stage: 'outbox' | 'insert' | 'wait' | 'publish') => void {
    let last = process.hrtime.bigint();
    return (stage) => {
      const now = process.hrtime.bigint();
      this.groupCommitStageDuration.observe({ stage }, Number(now - last) / 1e9);
      last = now;
    };
  }

  /** Counts `n` events acknowledged by Kafka on `topic`. */
  published(topic: string, n = 1): void {
    this.eventsPublished.inc({ topic }, n);
  }

  /** Counts one failed (or timed-out) publish attempt to `topic`. */
  publishFailed(topic: string): void {
    this.publishFailures.inc({ topic });
  }

  /** Counts `n` records of `topic` handled by a consumer. */
  consumed(topic: string, n = 1): void {
    this.eventsConsumed.inc({ topic }, n);
  }

  /** Counts one record of `topic` dead-lettered, with its reason (e.g. `not-json`, `store-failed`). */
  deadLettered(topic: string, reason: string): void {
    this.eventsDeadLettered.inc({ topic, reason });
  }

  /** Counts `n` notifications inserted. */
  stored(n = 1): void {
    if (n > 0) this.notificationsStored.inc(n);
  }

  /** Sets the lag of one partition of `topic`. */
  setConsumerLag(topic: string, partition: number, lag: number): void {
    this.consumerLag.set({ topic, partition: String(partition) }, lag);
  }

  /** Gives the function `herald_outbox_backlog` calls at every scrape (e.g. `() => relay.backlog()`). */
  setOutboxBacklogSource(source: BacklogSource): void {
    this.backlogSource = source;
  }

  /** Records one HTTP response (`route` is the route template, e.g. `/api/v1/messages/:id`). */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** The exposition text of every metric of this app (Prometheus text format 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
