import type { ProducerConfig } from 'kafkajs';

/**
 * kafkajs settings shared by every Herald producer (events, pushes, dead letters): no automatic
 * topic creation, **no kafkajs retries** and **no idempotence**. Callers resend failed calls
 * themselves with all their records (`resendUntilAcknowledged`), one call at a time per
 * producer (`inSendLane`).
 *
 * Both kafkajs features lost acknowledged records in the rolling-restart cluster test (issue #16;
 * docs/guarantees.md):
 * - its retry of a multi-broker send goes only to the brokers that have not answered yet, chosen by
 *   broker (`brokersWithoutResponse` in kafkajs `producer/sendMessages.js`), so a partition whose
 *   leadership moved to a broker that already acknowledged the send's other partitions is never
 *   sent again, and the send still resolves as acknowledged;
 * - its idempotent producer (KIP-98) numbers a request's records when it builds it and takes the
 *   numbers back when it fails, while such a retry starts with other brokers' requests still in
 *   flight, so its numbering can fall behind the broker's and a later batch of the same size is
 *   acknowledged as a duplicate and never written (kafkajs issue #1005 reports such loss).
 *
 * Without them every acknowledged batch is in the log (`acks: -1` with `min.insync.replicas`), a
 * resend may write records twice, and consumers deduplicate by `eventId` (the unique
 * `(eventId, recipientId)` index), which they do anyway for the relay's republishes.
 */
export const PRODUCER_SETTINGS: Pick<ProducerConfig, 'idempotent' | 'allowAutoTopicCreation' | 'retry'> = {
  idempotent: false,
  allowAutoTopicCreation: false,
  retry: { retries: 0 },
};
