import { mongo, Types } from 'mongoose';
import { StoredMessage } from '../messages/message.schema';
import { packOutboxMessages, RawOutboxEntry, unpackOutboxEntry } from './outbox-payload';

const message = (i: number): StoredMessage => ({
  _id: new Types.ObjectId(),
  conversationId: `c-${i}`,
  senderId: 'alice',
  recipientIds: ['bob', 'carol'],
  participants: ['alice', 'bob', 'carol'],
  body: `héllo ${i} 👋`,
  createdAt: new Date(1_700_000_000_000 + i),
  eventId: `00000000-0000-4000-8000-00000000000${i}`,
});

const entry = (over: Partial<RawOutboxEntry>): RawOutboxEntry => ({
  _id: new Types.ObjectId(),
  messageIds: [],
  createdAt: new Date(0),
  nextAttemptAt: new Date(0),
  attempts: 2,
  lastError: 'x',
  ...over,
});

describe('outbox payload', () => {
  it('unpacks what it packed, with ObjectId and Date types kept', () => {
    const messages = [message(1), message(2)];
    // As read back through the driver: the binary's bytes only.
    const stored = new mongo.Binary(Buffer.from(packOutboxMessages(messages).buffer));
    const out = unpackOutboxEntry(entry({ payload: stored, messageIds: messages.map((m) => m._id) }));
    expect(out.messages).toHaveLength(2);
    out.messages.forEach((m, i) => {
      expect(m._id.toHexString()).toBe(messages[i]._id.toHexString());
      expect(m._id).toBeInstanceOf(mongo.ObjectId);
      expect(m.createdAt).toBeInstanceOf(Date);
      expect(m.createdAt.getTime()).toBe(messages[i].createdAt.getTime());
      expect({ ...m, _id: undefined }).toEqual({ ...messages[i], _id: undefined });
    });
    expect(out).not.toHaveProperty('payload');
    expect(out.attempts).toBe(2);
  });

  it('reads an entry written before the payload existed (copies in messages)', () => {
    const messages = [message(3)];
    expect(unpackOutboxEntry(entry({ messages })).messages).toBe(messages);
  });

  it('refuses an entry with neither payload nor messages, and a payload without messages', () => {
    expect(() => unpackOutboxEntry(entry({}))).toThrow(/neither payload nor messages/);
    const empty = new mongo.Binary(mongo.BSON.serialize({ other: 1 }));
    expect(() => unpackOutboxEntry(entry({ payload: empty }))).toThrow(/payload holds no messages/);
  });
});
