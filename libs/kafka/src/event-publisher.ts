import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { inSendLane } from './send-lane';
import { resendUntilAcknowledged } from './send-retry';

/** Injection token of the producer-only `ClientKafka` registered by {@link KafkaProducerModule}. */
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');

/** One record to publish: Kafka key, JSON value, string headers. */
export interface OutgoingRecord {
  key: string;
  value: object;
  headers?: Record<string, string>;
}

/** Raised when a publish did not get the broker's acknowledgement in time or failed outright. */
export class PublishError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
  }
}

/**
 * Publishes events through Nest's `ClientKafka` (kafkajs producer, `acks: -1`, `PRODUCER_SETTINGS`).
 *
 * Nest caches the first `connect()` promise, so a broker that was down at the first publish would
 * poison the client forever; this class closes and resets the client after a failed connect, so the
 * next publish reconnects.
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);

  constructor(@Inject(KAFKA_PRODUCER) private readonly client: ClientKafka) {}

  /**
   * Sends one record and resolves when the broker acknowledged it (all in-sync replicas).
   * Same contract as {@link publishBatch}.
   * @throws PublishError when the producer cannot connect in time or the broker rejects the record
   */
  publish(topic: string, record: OutgoingRecord, connectTimeoutMs: number): Promise<void> {
    return this.publishBatch(topic, [record], connectTimeoutMs);
  }

  /**
   * Sends records to one topic in one producer call (`ClientKafka.emitBatch` → kafkajs
   * `producer.send` with many messages: one produce request per broker, records grouped per
   * partition) and resolves when the broker acknowledged all of them (all in-sync replicas). Calls
   * run one at a time, in call order ({@link inSendLane}), so per-key order holds; a retried call
   * may write a record twice (consumers deduplicate by eventId).
   *
   * A failed call is sent again with all its records ({@link resendUntilAcknowledged}, up to ~25 s), but once
   * the broker cannot be reached at all the client's own reconnect attempts run out (a few
   * seconds to ~20 s with `kafkaClientConfig`) and the send rejects; on a slow broker it may
   * also stay pending for long. Callers race it against their own deadline, treat a timed-out send
   * as "outcome unknown" (it may still succeed later) and keep a way to send again (the outbox).
   *
   * @param topic            destination topic
   * @param records          keys, values (serialised as JSON) and headers; nothing is sent for []
   * @param connectTimeoutMs how long to wait for the producer to connect, in ms
   * @throws PublishError when the producer cannot connect in time or the broker rejects a record
   */
  async publishBatch(topic: string, records: OutgoingRecord[], connectTimeoutMs: number): Promise<void> {
    if (records.length === 0) return;
    return inSendLane(this.client, async () => {
      await this.connect(connectTimeoutMs);
      try {
        await resendUntilAcknowledged(
          () => lastValueFrom(this.client.emitBatch(topic, { messages: records }), { defaultValue: undefined }),
          (err, attempt) =>
            this.logger.warn(
              `publish to ${topic} failed (attempt ${attempt}), sending all ${records.length} record(s) again: ${err.message}`,
            ),
        );
      } catch (err) {
        throw new PublishError(`publish to ${topic} failed: ${(err as Error).message}`, { cause: err });
      }
    });
  }

  private async connect(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      this.logger.warn(`Kafka producer not connected (${(err as Error).message}); resetting the client`);
      await this.client.close().catch(() => undefined);
      throw new PublishError(`Kafka producer not connected: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
}
