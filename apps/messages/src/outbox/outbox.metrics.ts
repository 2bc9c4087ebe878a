import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HeraldMetrics, withTimeout } from '@herald/observability';
import { OutboxRelay } from './outbox.relay';

/** Longest a scrape waits for the outbox backlog count, in ms (then the last value is served). */
export const BACKLOG_SCRAPE_TIMEOUT_MS = 1000;

/**
 * Wires the outbox's side of `GET /metrics`: `herald_outbox_backlog` (messages stored whose
 * `message.created` event Kafka has not acknowledged yet) is counted at scrape time with
 * {@link OutboxRelay.backlog} (the outbox collection holds only unacknowledged events, so this
 * reads O(pending) documents), at most {@link BACKLOG_SCRAPE_TIMEOUT_MS} per scrape; when the count fails or is late,
 * the scrape still answers, with the last value. The publish counters are counted by
 * {@link OutboxPublisher} itself.
 */
@Injectable()
export class OutboxMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: HeraldMetrics,
    private readonly relay: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.setOutboxBacklogSource(() =>
      withTimeout(this.relay.backlog(BACKLOG_SCRAPE_TIMEOUT_MS), BACKLOG_SCRAPE_TIMEOUT_MS, 'outbox backlog count'),
    );
  }
}
