/**
 * One produce call at a time per producer.
 *
 * kafkajs's idempotent producer (KIP-98) numbers records per partition when a request is built
 * (`firstSequence`), adds the count at once and subtracts it again if that request fails
 * (kafkajs `producer/sendMessages.js`). Two `send()` calls in flight on one producer can therefore
 * interleave their numbering, most easily across a leader change, where the retry of one goes to
 * the new leader while the other is still pending at the old one. A batch can then reach the
 * broker with the sequence range of a batch it already appended, and the broker answers it as a
 * duplicate: success, the earlier batch's offset, and nothing written (Kafka's
 * `ProducerStateEntry` keeps the last 5 batches for this check; kafkajs issue #1005 shows the
 * same silent loss with concurrent sends). So every producer that Herald sends through queues its
 * calls here: each `send()` starts only after the previous one on the same producer has settled.
 */
const lanes = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `send` once every call queued before it for the same `producer` has settled (resolved or
 * rejected), in the order the calls were made.
 * @param producer the kafkajs `Producer` or Nest `ClientKafka` the call goes through (the lane's key)
 * @param send     the produce call; its result or rejection is returned unchanged
 */
export function inSendLane<T>(producer: object, send: () => Promise<T>): Promise<T> {
  const previous = lanes.get(producer) ?? Promise.resolve();
  const run = previous.then(send);
  lanes.set(producer, run.catch(() => undefined));
  return run;
}
