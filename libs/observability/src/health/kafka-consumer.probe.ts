import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Consumer } from 'kafkajs';
import type { Observable } from 'rxjs';

/** What {@link KafkaConsumerProbe.watch} needs of a Nest microservice (`app.connectMicroservice(...)`). */
export interface WatchableMicroservice {
  /** Nest 11 transport status stream (`connected`, `rebalancing`, `crashed`...). */
  readonly status: Observable<string>;
  /** `[Kafka, Consumer, Producer]` for the Kafka transport; throws before the server started. */
  unwrap<T>(): T;
}

/** Consumer-group membership as seen from this instance's kafkajs consumer events. */
export type ConsumerState =
  'not-started' | 'connecting' | 'joined' | 'rebalancing' | 'stopped' | 'crashed' | 'disconnected';

/**
 * Tracks whether this instance's Kafka consumer has joined its group, from kafkajs instrumentation
 * events (`consumer.group_join`, `consumer.crash`, `consumer.stop`, `consumer.disconnect`).
 * Ready = joined at least once since the last (re)connect and not crashed/stopped since; a
 * rebalance in progress keeps the instance ready (it had partitions a moment ago and will again).
 *
 * Wire it once in the app's bootstrap: `app.get(KafkaConsumerProbe).watch(app.connectMicroservice(...))`.
 */
@Injectable()
export class KafkaConsumerProbe {
  private state: ConsumerState = 'not-started';
  private memberId?: string;
  private groupId?: string;
  private partitions = 0;
  private lastError?: string;
  private attached = false;

  constructor(private readonly health: HealthIndicatorService) {}

  /** Follows a Kafka microservice: attaches to its consumer as soon as the server created it. */
  watch(microservice: WatchableMicroservice): void {
    microservice.status.subscribe((status) => {
      if (!this.attached) this.tryAttach(microservice);
      if (status === 'crashed' || status === 'stopped' || status === 'disconnected') this.state = status;
    });
  }

  /** Attaches to a kafkajs consumer directly (tests, custom transports). */
  attach(consumer: Consumer): void {
    this.attached = true;
    this.state = 'connecting';
    const { events } = consumer;
    consumer.on(events.CONNECT, () => (this.state = 'connecting'));
    consumer.on(events.GROUP_JOIN, (e) => {
      this.state = 'joined';
      this.memberId = e.payload.memberId;
      this.groupId = e.payload.groupId;
      this.partitions = Object.values(e.payload.memberAssignment).reduce((n, parts) => n + parts.length, 0);
      this.lastError = undefined;
    });
    consumer.on(events.REBALANCING, () => {
      if (this.state === 'joined') this.state = 'rebalancing';
    });
    consumer.on(events.CRASH, (e) => {
      this.state = 'crashed';
      this.lastError = e.payload.error?.message;
    });
    consumer.on(events.STOP, () => (this.state = 'stopped'));
    consumer.on(events.DISCONNECT, () => (this.state = 'disconnected'));
  }

  /** The current state, for logs and tests. */
  get current(): { state: ConsumerState; groupId?: string; memberId?: string; partitions: number; lastError?: string } {
    return {
      state: this.state,
      groupId: this.groupId,
      memberId: this.memberId,
      partitions: this.partitions,
      lastError: this.lastError,
    };
  }

  isHealthy(key = 'kafkaConsumer'): HealthIndicatorResult {
    const session = this.health.check(key);
    const details = Object.fromEntries(Object.entries(this.current).filter(([, v]) => v !== undefined));
    return this.state === 'joined' || this.state === 'rebalancing' ? session.up(details) : session.down(details);
  }

  private tryAttach(microservice: WatchableMicroservice): void {
    try {
      const [, consumer] = microservice.unwrap<[unknown, Consumer | null, unknown]>();
      if (consumer) this.attach(consumer);
    } catch {
      // Not started yet: the next status event tries again.
    }
  }
}

/**
 * Makes further {@link KafkaConsumerProbe}s for consumers other than the app's transport (e.g. the
 * notifications app's per-instance broadcast consumer), with the health indicator service of
 * `@nestjs/terminus` from dependency injection.
 */
@Injectable()
export class KafkaConsumerProbeFactory {
  constructor(private readonly health: HealthIndicatorService) {}

  /** A new probe, not attached: call `attach(consumer)` once the consumer exists. */
  create(): KafkaConsumerProbe {
    return new KafkaConsumerProbe(this.health);
  }
}
