import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { Message } from '../../apps/messages/src/dal/messages/message.schema';
import { toMessageCreatedRecord } from '../../apps/messages/src/outbox/message-created.mapper';
import { Expected } from './fault-metrics';
import { boundedAll, httpRequest } from './http';
import { signToken } from './processes';

/**
 * The users of one fault test: `conversations` senders, each writing to two recipients of its own,
 * all ids prefixed with the test's unique tag (so only this test's notifications are counted).
 * Message i belongs to conversation i mod `conversations`, which spreads keys over partitions.
 */
export interface Cast {
  tag: string;
  senders: string[];
  recipientsOf: string[][];
  tokens: string[];
  /** Every recipient id (what the notification counts filter on). */
  recipients: string[];
}

/** Builds a {@link Cast} and signs a token for each sender. */
export async function makeCast(tag: string, conversations = 20): Promise<Cast> {
  const senders = Array.from({ length: conversations }, (_, k) => `${tag}-s${k}`);
  const recipientsOf = senders.map((_, k) => [`${tag}-r${k}a`, `${tag}-r${k}b`]);
  const tokens = await Promise.all(senders.map((s) => signToken(s)));
  return { tag, senders, recipientsOf, tokens, recipients: recipientsOf.flat() };
}

/** Outcome of one POST /api/v1/messages. */
export interface Sent {
  index: number;
  status: number;
  /** The stored message id (201 only). */
  messageId?: string;
  recipients: string[];
  error?: string;
  /** Time from sending the request to its answer (or error), in ms. */
  ms?: number;
}

/**
 * POSTs `count` messages to the messages app, at most `concurrency` in flight; message i goes from
 * sender i mod n to that sender's two recipients. Connection errors are recorded as status 0.
 * @param onSent called after each answer with the number answered so far
 * @param gate   awaited before the j-th request (0-based) is sent, e.g. to hold the stream until a fault is in place
 */
export async function sendMessages(
  url: string,
  cast: Cast,
  count: number,
  {
    concurrency = 20,
    offset = 0,
    headers = (_i: number): Record<string, string> => ({}),
    onSent = (_n: number): void => undefined,
    gate = (_j: number): Promise<void> | undefined => undefined,
  } = {},
): Promise<Sent[]> {
  let answered = 0;
  return boundedAll(count, concurrency, async (j) => {
    await gate(j);
    const i = offset + j;
    const k = i % cast.senders.length;
    const recipients = cast.recipientsOf[k];
    let sent: Sent;
    const t0 = Date.now();
    try {
      const res = await httpRequest('POST', `${url}/api/v1/messages`, {
        headers: { authorization: `Bearer ${cast.tokens[k]}`, ...headers(i) },
        body: { recipientIds: recipients, body: `${cast.tag} message ${i}` },
      });
      sent = {
        index: i,
        status: res.status,
        messageId: res.status === 201 ? (res.json as { id: string }).id : undefined,
        recipients,
        error: res.status === 201 ? undefined : res.text.slice(0, 300),
        ms: Date.now() - t0,
      };
    } catch (err) {
      sent = { index: i, status: 0, recipients, error: (err as Error).message, ms: Date.now() - t0 };
    }
    onSent(++answered);
    return sent;
  });
}

/** The expected notifications of the messages that were accepted (201). */
export function expectedOf(sent: readonly Sent[]): Expected[] {
  return sent
    .filter((s) => s.status === 201 && s.messageId)
    .map((s) => ({ messageId: s.messageId!, recipients: s.recipients }));
}

/** The `q`-quantile (0..1, nearest rank) of the answers' latencies, in ms; 0 when there are none. */
export function latencyQuantile(sent: readonly Sent[], q: number): number {
  const ms = sent.flatMap((s) => (s.ms === undefined ? [] : [s.ms])).sort((a, b) => a - b);
  return ms.length ? ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] : 0;
}

/** Status code → how many answers had it, e.g. `{ "201": 2000 }`. */
export function statusHistogram(sent: readonly Sent[]): Record<string, number> {
  return sent.reduce<Record<string, number>>((h, s) => ({ ...h, [s.status]: (h[s.status] ?? 0) + 1 }), {});
}

/**
 * A valid `message.created` v1 record, built by the messages app's own mapper from a message as
 * the app would have stored it (fresh ObjectId and eventId), for tests that produce to Kafka
 * directly. Returned as kafkajs wants it: key, JSON value, string headers.
 */
export function messageCreatedRecord(
  cast: Cast,
  i: number,
): { expected: Expected; record: { key: string; value: string; headers: Record<string, string> } } {
  const k = i % cast.senders.length;
  const now = new Date();
  const doc: Message & { _id: Types.ObjectId } = {
    _id: new Types.ObjectId(),
    conversationId: `${cast.tag}-c${k}`,
    senderId: cast.senders[k],
    recipientIds: cast.recipientsOf[k],
    participants: [cast.senders[k], ...cast.recipientsOf[k]].sort(),
    body: `${cast.tag} event ${i}`,
    createdAt: now,
    eventId: randomUUID(),
  };
  const r = toMessageCreatedRecord(doc);
  return {
    expected: { messageId: doc._id.toHexString(), recipients: cast.recipientsOf[k] },
    record: { key: r.key, value: JSON.stringify(r.value), headers: r.headers ?? {} },
  };
}
