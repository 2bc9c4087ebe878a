import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer, Kafka } from 'kafkajs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  decodeEvent,
  InboxChangedEvent,
  NotificationCreatedEvent,
  NotificationUpdatedEvent,
  Topics,
} from '@herald/contracts';
import { AppConfig } from '@herald/config';
import { kafkaClientConfig } from '@herald/kafka';
import { KafkaConsumerProbe, KafkaConsumerProbeFactory, ReadinessChecks, withTimeout } from '@herald/observability';
import { PushHub } from './push-hub';
import { NotificationView } from '../inbox/dto/notification.view';
import { UnreadCountPusher } from './unread-count.pusher';

/** Prefix of the per-instance broadcast groups (`notifications-push-<host>-<pid>-<random>`). */
export const PUSH_GROUP_PREFIX = 'notifications-push-';
/** Key of the broadcast consumer's check in `GET /health/ready`. */
export const PUSH_READINESS_KEY = 'pushConsumer';
/**
 * Header naming the instance (its broadcast group id) that published an `inbox.changed` record: that
 * instance pushed the new count to its own clients at once and skips its own record.
 */
export const ORIGIN_HEADER = 'herald-origin';
/** The topics every instance reads in its broadcast group. */
export const BROADCAST_TOPICS = [Topics.NotificationCreated, Topics.InboxChanged] as const;
/** Longest start-up wait for the broadcast consumer to join its group, in ms. */
export const BROADCAST_JOIN_TIMEOUT_MS = 30_000;

/**
 * Pub/sub over Kafka: this instance's own consumer group on `notification.created` and
 * `inbox.changed`, so EVERY instance sees EVERY stored notification and every inbox change (one
 * group per instance = broadcast; the `notifications` group on `message.created` is the opposite, a
 * queue shared by instances). A notification is pushed to the recipient's streams and sockets on
 * this instance, followed by their new unread count; an inbox change (PATCH / read-all on another
 * instance) pushes the new unread count. No Socket.IO adapter (Redis or other) is needed: sockets and
 * SSE streams are both fed from this instance's PushHub.
 *
 * The group starts at the topic's end at start-up (only new notifications matter to live streams;
 * a client catches up with `Last-Event-ID` or GET) and is deleted on shutdown. Start-up waits (up to
 * {@link BROADCAST_JOIN_TIMEOUT_MS}) until the group is joined, and `GET /health/ready` includes it
 * (`pushConsumer`): an instance is not ready while its streams would not receive pushes.
 */
@Injectable()
export class NotificationBroadcastConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationBroadcastConsumer.name);
  readonly groupId = `${PUSH_GROUP_PREFIX}${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly kafka: Kafka;
  private consumer?: Consumer;
  /** Group membership of the broadcast consumer (joined, rebalancing, crashed...). */
  readonly probe: KafkaConsumerProbe;

  constructor(
    config: AppConfig,
    private readonly hub: PushHub,
    private readonly unread: UnreadCountPusher,
    private readonly readiness: ReadinessChecks,
    probes: KafkaConsumerProbeFactory,
  ) {
    this.probe = probes.create();
    this.kafka = new Kafka(kafkaClientConfig(config, `${config.env.KAFKA_CLIENT_ID}-push`));
  }

  /**
   * Positions the group at the topic's end, starts the consumer and waits until it has joined.
   * `consumer.run()` alone is not enough: when the join fails, kafkajs schedules a restart and
   * `run()` still resolves. Not joined within {@link BROADCAST_JOIN_TIMEOUT_MS}: logged, start-up
   * goes on and readiness stays down until it joins (nothing is lost: it starts from the offsets
   * committed here).
   * @throws Error when Kafka cannot be reached to set the start offsets (the app does not start)
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.startAtCurrentEnd();
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    this.probe.attach(consumer);
    this.readiness.register(PUSH_READINESS_KEY, () => this.probe.isHealthy(PUSH_READINESS_KEY));
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...BROADCAST_TOPICS], fromBeginning: false });
    await consumer.run({
      autoCommit: true,
      // The key is the user id: records for users with no stream or socket here are skipped undecoded.
      eachMessage: async ({ topic, message }) => {
        if (message.key && !this.hub.isConnected(message.key.toString())) return;
        if (topic === Topics.InboxChanged) {
          if (message.headers?.[ORIGIN_HEADER]?.toString() !== this.groupId) this.countChanged(message.value);
          return;
        }
        await this.deliver(message.value);
      },
    });
    await withTimeout(joined, BROADCAST_JOIN_TIMEOUT_MS, `broadcast group ${this.groupId}`).catch((err: Error) =>
      this.logger.warn(`${err.message}: not ready until it joins (pushes wait at the start offsets)`),
    );
  }

  /**
   * Commits the topic's current end offsets for this (new, empty) group before it joins, so it
   * delivers everything stored after start-up. `fromBeginning: false` alone resolves "latest" only
   * at the first fetch after the join, and pushes stored in between would be missed.
   */
  private async startAtCurrentEnd(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of BROADCAST_TOPICS) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId: this.groupId,
          topic,
          partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    const admin = this.kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([this.groupId]))
      .catch((err: Error) => this.logger.warn(`could not delete broadcast group ${this.groupId}: ${err.message}`))
      .finally(() => admin.disconnect());
  }

  /**
   * Pushes one record of the push topic to the recipient's streams and sockets here, if any:
   * `notification.created` (SSE id = the notification id, then the new unread count) or
   * `notification.updated` (a digest fold: no SSE id — it is no new notification to resume after —
   * and no count, which a fold does not change).
   */
  async deliver(value: Buffer | null): Promise<void> {
    if (value && value.includes('"notification.updated"')) {
      const updated = decodeEvent(NotificationUpdatedEvent, value);
      if (updated.ok) {
        const { data } = updated.event;
        this.hub.send(data.recipientId, { event: NotificationUpdatedEvent.type, data });
        return;
      }
    }
    const decoded = decodeEvent(NotificationCreatedEvent, value);
    if (!decoded.ok) {
      this.logger.warn(`ignoring malformed notification.created record: ${decoded.message}`);
      return;
    }
    const { data } = decoded.event;
    if (!this.hub.isConnected(data.recipientId)) return;
    this.hub.send(data.recipientId, {
      event: 'notification.created',
      data: NotificationView.fromCreated(data),
      id: data.id,
    });
    void this.unread.push(data.recipientId); // coalesced per user; does not hold up the next push
  }

  /** Pushes a fresh unread count to the streams and sockets here of the user one `inbox.changed` record names. */
  countChanged(value: Buffer | null): void {
    const decoded = decodeEvent(InboxChangedEvent, value);
    if (!decoded.ok) {
      this.logger.warn(`ignoring malformed inbox.changed record: ${decoded.message}`);
      return;
    }
    void this.unread.push(decoded.event.data.userId);
  }
}
