import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Subscription } from 'rxjs';
import { InboxChangedEvent, Topics } from '@herald/contracts';
import { AppConfig } from '@herald/config';
import { kafkaClientConfig } from '@herald/kafka';
import { InboxEvents } from '../inbox/inbox-events';
import { NotificationBroadcastConsumer, ORIGIN_HEADER } from './notification-broadcast.consumer';

/** Maps a changed user id to its `inbox.changed` v1 event. Pure. */
export function toInboxChangedEvent(userId: string, at = new Date()): InboxChangedEvent {
  return {
    eventId: randomUUID(),
    type: Topics.InboxChanged,
    version: InboxChangedEvent.version,
    occurredAt: at,
    data: { userId },
  };
}

/**
 * Makes an unread count change reach every instance: after a PATCH or read-all here
 * (`InboxEvents.stateChanged$`), publishes `inbox.changed` (key = userId, header
 * {@link ORIGIN_HEADER} = this instance's broadcast group), which every other instance's broadcast
 * consumer turns into a recount pushed to that user's streams and sockets (this instance's own
 * clients got theirs from UnreadCountPusher at once). Best effort like the notification push: a
 * failed send is logged; the client's next count (any push, a reconnect, or GET /count) is right.
 */
@Injectable()
export class InboxChangePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InboxChangePublisher.name);
  private readonly producer: Producer;
  private subscription?: Subscription;

  constructor(
    config: AppConfig,
    private readonly events: InboxEvents,
    private readonly broadcast: NotificationBroadcastConsumer,
  ) {
    this.producer = new Kafka(kafkaClientConfig(config, `${config.env.KAFKA_CLIENT_ID}-inbox-changed`)).producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Connects the producer, then publishes every change made through this instance's API. */
  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    this.subscription = this.events.stateChanged$.subscribe((userId) => void this.publish(userId));
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.producer.disconnect().catch(() => undefined);
  }

  /** Publishes one `inbox.changed` for `userId`. Never rejects. */
  async publish(userId: string): Promise<void> {
    await this.producer
      .send({
        topic: Topics.InboxChanged,
        acks: -1,
        messages: [
          {
            key: userId,
            value: JSON.stringify(toInboxChangedEvent(userId)),
            headers: { [ORIGIN_HEADER]: this.broadcast.groupId },
          },
        ],
      })
      .catch((err: Error) => this.logger.warn(`inbox.changed for ${userId} failed: ${err.message}`));
  }
}
