import type { ProducerConfig } from 'kafkajs';

/**
 * kafkajs settings shared by every Herald producer (events, pushes, dead letters): no automatic
 * topic creation, and retries bounded to about 25 s (300 ms doubling to 5 s, 8 retries) so one
 * stuck send cannot hold its producer's queue ({@link inSendLane}) for ever; callers with a
 * durable copy (the outbox) send again later.
 *
 * **Not idempotent, on purpose.** kafkajs's idempotent producer (KIP-98) assigns a request's
 * sequence numbers when it builds it and subtracts them again when it fails, while a retry of a
 * multi-broker send starts as soon as the first broker's request fails, with the other brokers'
 * requests still in flight (`Promise.all` in kafkajs `producer/sendMessages.js`). Across a leader
 * change the producer's numbering can then fall behind what a broker appended, and a later batch
 * of the same size is acknowledged as a duplicate of an earlier one and never written: the
 * rolling-restart cluster test lost acknowledged events that way (see docs/guarantees.md), and
 * kafkajs issue #1005 reports the same silent loss. Without sequence numbers every acknowledged
 * batch is in the log (`acks: -1` with `min.insync.replicas`), a retry may write a record twice,
 * and consumers deduplicate by `eventId` (the unique `(eventId, recipientId)` index), which they
 * have to do anyway for the relay's republishes. Order per key holds because each producer sends
 * one call at a time ({@link inSendLane}) and a record's first copy is never written after a
 * later call's records.
 */
export const PRODUCER_SETTINGS: Pick<ProducerConfig, 'idempotent' | 'allowAutoTopicCreation' | 'retry'> = {
  idempotent: false,
  allowAutoTopicCreation: false,
  retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 8 },
};
