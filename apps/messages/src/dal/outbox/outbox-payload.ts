import { mongo, Types } from 'mongoose';
import type { StoredMessage } from '../messages/message.schema';
import type { OutboxEntry, StoredOutboxEntry } from './outbox-entry.schema';

/** An outbox entry as the driver reads it: copies in `payload`, or (older entries) in `messages`. */
export type RawOutboxEntry = Omit<OutboxEntry, 'payload' | 'messages'> & {
  _id: Types.ObjectId;
  payload?: mongo.Binary | null;
  messages?: StoredMessage[];
};

/**
 * Packs the copies of a group's messages into one BSON binary value (the BSON document
 * `{ messages: [...] }`, binary subtype 0), so the outbox entry is one opaque field to the server.
 *
 * Why: FerretDB converts every field of a document into its PostgreSQL `jsonb` form with a type
 * schema per value (nested arrays of documents included) on each insert, and decodes them again on
 * every read, including the read it runs before each delete (FerretDB v1.24,
 * handler/msg_delete.go). As one binary the entry of a 17-message group took 2.2 ms to insert
 * instead of 3.5–4.1 ms, with 0.7 instead of 1.2–1.3 ms of FerretDB CPU (bench/findings.md, #12).
 * BSON keeps the types (`ObjectId`, `Date`) the relay stores the messages with.
 */
export function packOutboxMessages(messages: StoredMessage[]): mongo.Binary {
  return new mongo.Binary(mongo.BSON.serialize({ messages }));
}

/**
 * The entry with its message copies unpacked from `payload` ({@link packOutboxMessages}); an entry
 * written before the payload existed (copies in `messages`) is returned as it is.
 * @throws BSONError when `payload` is not a BSON document (a corrupt entry)
 * @throws Error when the entry has neither `payload` nor `messages`
 */
export function unpackOutboxEntry(raw: RawOutboxEntry): StoredOutboxEntry {
  const { payload, messages, ...rest } = raw;
  if (payload) {
    const doc = mongo.BSON.deserialize(payload.buffer) as { messages?: StoredMessage[] };
    if (!Array.isArray(doc.messages))
      throw new Error(`outbox entry ${raw._id.toHexString()}: payload holds no messages`);
    return { ...rest, messages: doc.messages };
  }
  if (Array.isArray(messages)) return { ...rest, messages };
  throw new Error(`outbox entry ${raw._id.toHexString()} has neither payload nor messages`);
}
