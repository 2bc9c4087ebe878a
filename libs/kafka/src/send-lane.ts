/**
 * One produce call at a time per producer, in call order.
 *
 * Kafka keeps the order of records per partition as they arrive; two `send()` calls in flight on
 * one producer can arrive in either order (and with retries, interleave), so a message submitted
 * after another one's request resolved could be published before it. Every producer that Herald
 * sends through queues its calls here: each `send()` starts only after the previous one on the
 * same producer has settled. (Concurrent sends were also the first suspect of the rolling-restart
 * loss; the cause was kafkajs's idempotent numbering itself, see `PRODUCER_SETTINGS`.)
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
  lanes.set(
    producer,
    run.catch(() => undefined),
  );
  return run;
}
