import { Model, Types } from 'mongoose';
import { MessageCreatedEvent } from '@herald/contracts';
import { InboxBucketDirectory } from '../inbox/inbox-bucket.directory';
import { Notification } from '../dal/notifications/notification.schema';
import { PreferenceRepository } from '../dal/preferences/preference.repository';
import { DigestFold } from '../dal/digest-folds/digest-fold.schema';
import { foldUpdate, notificationsFor, NotificationWriter } from './notification.writer';
import { Fold } from './digest-plan';
import { settingsOf } from '../../../../test/support/fakes';
import { notificationsSettings } from '../notifications.settings';

const event = {
  eventId: '0b7c9c8e-8a1f-4c2e-9a55-1d1f6f2c3b4a',
  type: 'message.created',
  version: 1,
  occurredAt: new Date('2026-11-24T06:00:00Z'),
  data: {
    messageId: '6b0528fc3be48ad755678066',
    conversationId: 'dm_abc',
    senderId: 'alice',
    recipientIds: ['bob', 'carol'],
    body: 'hello',
    createdAt: new Date('2026-11-24T06:00:00Z'),
  },
} as MessageCreatedEvent;

const second = {
  ...event,
  eventId: '5d3e0f7a-2b9c-4d11-8e6f-0a1b2c3d4e5f',
  data: { ...event.data, recipientIds: ['dave'] },
} as MessageCreatedEvent;

/** A stand-in for the notifications model: schema indexes, and the collection's createIndex and insertMany. */
function fakeModel() {
  const createIndex = jest.fn();
  const insertMany = jest.fn();
  const schema = {
    indexes: () => [
      [{ eventId: 1, recipientId: 1 }, { unique: true }],
      [{ recipientId: 1, _id: -1 }, {}],
    ],
  };
  return {
    model: { schema, collection: { createIndex, insertMany } } as unknown as Model<Notification>,
    createIndex,
    insertMany,
  };
}

/** A stand-in for the hour directory (its own e2e coverage is in inbox-buckets.e2e-spec). */
const fakeDirectory = (record = jest.fn().mockResolvedValue(undefined)) =>
  ({ record }) as unknown as InboxBucketDirectory;

/** Preferences nobody set, and digests off: the writer's plain insert path (digests have their e2e coverage in policy.e2e-spec). */
const noPrefs = { forUsers: jest.fn().mockResolvedValue(new Map()) } as unknown as PreferenceRepository;
const settings = settingsOf(notificationsSettings, { DIGEST_WINDOW_MS: 0 });
const noFolds = {} as unknown as Model<DigestFold>;
const newWriter = (model: Model<Notification>, dir: InboxBucketDirectory) =>
  new NotificationWriter(model, noFolds, dir, noPrefs, settings);
const insertedBy = async (w: NotificationWriter, events: MessageCreatedEvent[]) => (await w.store(events)).inserted;

describe('NotificationWriter', () => {
  it('records the hours of the notifications in the directory before inserting them', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('ok');
    insertMany.mockResolvedValue({ acknowledged: true });
    const record = jest.fn().mockResolvedValue(undefined);
    await newWriter(model, fakeDirectory(record)).store([event]);
    expect(record.mock.calls[0][0].map((d: { recipientId: string }) => d.recipientId)).toEqual(['bob', 'carol']);
    expect(record.mock.invocationCallOrder[0]).toBeLessThan(insertMany.mock.invocationCallOrder[0]);
  });

  it('inserts nothing when the directory cannot be written', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('ok');
    const record = jest.fn().mockRejectedValue(new Error('connection reset'));
    await expect(newWriter(model, fakeDirectory(record)).store([event])).rejects.toThrow('connection reset');
    expect(insertMany).not.toHaveBeenCalled();
  });

  it('creates the unique (eventId, recipientId) index before the first insert, and only once', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('eventId_1_recipientId_1');
    insertMany.mockResolvedValue({ acknowledged: true });
    const writer = newWriter(model, fakeDirectory());
    expect(await insertedBy(writer, [event])).toHaveLength(2);
    await writer.store([event]);
    expect(createIndex).toHaveBeenCalledTimes(1);
    expect(createIndex).toHaveBeenCalledWith({ eventId: 1, recipientId: 1 }, { unique: true });
    expect(createIndex.mock.invocationCallOrder[0]).toBeLessThan(insertMany.mock.invocationCallOrder[0]);
  });

  it('inserts nothing while the index cannot be built, and builds it again on the next call', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex
      .mockRejectedValueOnce(new Error('server selection timed out'))
      .mockResolvedValue('eventId_1_recipientId_1');
    insertMany.mockResolvedValue({ acknowledged: true });
    const writer = newWriter(model, fakeDirectory());
    await expect(writer.store([event])).rejects.toThrow('server selection timed out');
    expect(insertMany).not.toHaveBeenCalled();
    expect(await insertedBy(writer, [event])).toHaveLength(2);
    expect(createIndex).toHaveBeenCalledTimes(2);
  });

  it('writes the notifications of several events with one unordered insert, in event order', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('ok');
    insertMany.mockResolvedValue({ acknowledged: true });
    const stored = await insertedBy(newWriter(model, fakeDirectory()), [event, second]);
    expect(insertMany).toHaveBeenCalledTimes(1);
    expect(insertMany.mock.calls[0][1]).toEqual({ ordered: false });
    expect(stored.map((n) => n.recipientId)).toEqual(['bob', 'carol', 'dave']);
    const ids = stored.map((n) => n._id.toHexString());
    expect([...ids].sort()).toEqual(ids);
  });

  it('treats duplicate keys as already stored and returns only what this call inserted', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('ok');
    const dup = Object.assign(new Error('E11000 duplicate key error'), {
      name: 'MongoBulkWriteError',
      code: 11000,
      writeErrors: [
        { code: 11000, index: 0 },
        { code: 11000, index: 2 },
      ],
    });
    insertMany.mockRejectedValue(dup);
    expect((await insertedBy(newWriter(model, fakeDirectory()), [event, second])).map((n) => n.recipientId)).toEqual([
      'carol',
    ]);
  });

  it('reads a single write error as well as a list (the driver reports one as an object)', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('ok');
    insertMany.mockRejectedValue(
      Object.assign(new Error('E11000'), { code: 11000, writeErrors: { code: 11000, index: 1 } }),
    );
    expect((await insertedBy(newWriter(model, fakeDirectory()), [event])).map((n) => n.recipientId)).toEqual(['bob']);
  });

  it('rethrows any error that is not only duplicate keys', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('ok');
    insertMany.mockRejectedValue(
      Object.assign(new Error('bulk'), {
        code: 11000,
        writeErrors: [
          { code: 11000, index: 0 },
          { code: 2, index: 1 },
        ],
      }),
    );
    await expect(newWriter(model, fakeDirectory()).store([event])).rejects.toThrow('bulk');
  });

  it('makes one notification per distinct recipient, none for the sender', () => {
    const e = {
      ...event,
      data: { ...event.data, recipientIds: ['bob', 'alice', 'bob', 'erin'] },
    } as MessageCreatedEvent;
    expect(notificationsFor(e).map((n) => n.recipientId)).toEqual(['bob', 'erin']);
  });

  it('makes a message.mentioned notification for a mentioned recipient, message.created for the others', () => {
    const e = { ...event, data: { ...event.data, mentions: ['carol'] } } as MessageCreatedEvent;
    expect(notificationsFor(e).map((n) => [n.recipientId, n.type])).toEqual([
      ['bob', 'message.created'],
      ['carol', 'message.mentioned'],
    ]);
  });

  it('gives each notification an _id in the second it was stored and the bucket of that hour', () => {
    const storedAt = new Date('2026-11-24T06:59:59.900Z');
    const [bob, carol] = notificationsFor(event, storedAt);
    expect(bob._id.getTimestamp().toISOString()).toBe('2026-11-24T06:59:59.000Z');
    expect(bob.bucket).toBe(`${Math.floor(storedAt.getTime() / 3_600_000)}:bob`);
    expect(carol.bucket).toBe(`${Math.floor(storedAt.getTime() / 3_600_000)}:carol`);
    expect(carol._id.toHexString() > bob._id.toHexString()).toBe(true);
  });

  describe('foldUpdate', () => {
    const head = new Types.ObjectId();
    const fold = (eventId: string, preview: string, addSenders?: string[]): Fold => ({
      headId: head,
      eventId,
      recipientId: 'bob',
      conversationId: 'dm_abc',
      messageId: `m-${eventId}`,
      preview,
      lastMessageAt: new Date(`2026-11-24T06:00:0${preview.length}Z`),
      addSenders,
      freshHead: false,
      replay: false,
    });

    it('folds several events into their head with one update, guarded against any of them being in it', () => {
      const { filter, update } = foldUpdate([
        fold('e1', 'a', ['alice', 'dave']),
        fold('e2', 'bb'),
        fold('e3', 'ccc', ['alice', 'erin']),
      ]);
      expect(filter).toEqual({
        _id: head,
        eventId: { $nin: ['e1', 'e2', 'e3'] },
        eventIds: { $nin: ['e1', 'e2', 'e3'] },
      });
      expect(update).toEqual({
        $push: { eventIds: { $each: ['e1', 'e2', 'e3'] } },
        $inc: { folded: 3 },
        $set: { preview: 'ccc', lastMessageAt: new Date('2026-11-24T06:00:03Z'), lastMessageId: 'm-e3' },
        $addToSet: { senderIds: { $each: ['alice', 'dave', 'erin'] } },
      });
    });

    it('adds no senders when no fold brings one', () => {
      expect(foldUpdate([fold('e1', 'a')]).update).not.toHaveProperty('$addToSet');
    });
  });
});
