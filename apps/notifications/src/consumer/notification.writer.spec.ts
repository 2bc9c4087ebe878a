import { Model } from 'mongoose';
import { MessageCreatedEvent } from '@herald/contracts';
import { Notification } from '../inbox/notification.schema';
import { NotificationWriter } from './notification.writer';

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

/** A stand-in for the notifications model: schema indexes, createIndex and insertMany. */
function fakeModel() {
  const createIndex = jest.fn();
  const insertMany = jest.fn();
  const schema = { indexes: () => [[{ eventId: 1, recipientId: 1 }, { unique: true }], [{ recipientId: 1, _id: -1 }, {}]] };
  return { model: { schema, collection: { createIndex }, insertMany } as unknown as Model<Notification>, createIndex, insertMany };
}

describe('NotificationWriter', () => {
  it('creates the unique (eventId, recipientId) index before the first insert, and only once', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('eventId_1_recipientId_1');
    insertMany.mockImplementation(async (docs: unknown[]) => docs);
    const writer = new NotificationWriter(model);
    expect(await writer.store(event)).toHaveLength(2);
    await writer.store(event);
    expect(createIndex).toHaveBeenCalledTimes(1);
    expect(createIndex).toHaveBeenCalledWith({ eventId: 1, recipientId: 1 }, { unique: true });
    expect(createIndex.mock.invocationCallOrder[0]).toBeLessThan(insertMany.mock.invocationCallOrder[0]);
  });

  it('inserts nothing while the index cannot be built, and builds it again on the next call', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockRejectedValueOnce(new Error('server selection timed out')).mockResolvedValue('eventId_1_recipientId_1');
    insertMany.mockImplementation(async (docs: unknown[]) => docs);
    const writer = new NotificationWriter(model);
    await expect(writer.store(event)).rejects.toThrow('server selection timed out');
    expect(insertMany).not.toHaveBeenCalled();
    expect(await writer.store(event)).toHaveLength(2);
    expect(createIndex).toHaveBeenCalledTimes(2);
  });

  it('treats duplicate keys as already stored and returns only what this call inserted', async () => {
    const { model, createIndex, insertMany } = fakeModel();
    createIndex.mockResolvedValue('ok');
    const dup = Object.assign(new Error('E11000 duplicate key error'), {
      name: 'MongoBulkWriteError',
      code: 11000,
      writeErrors: [{ err: { index: 0, code: 11000 }, index: 0 }],
      insertedDocs: [{ recipientId: 'carol' }],
    });
    insertMany.mockRejectedValue(dup);
    expect(await new NotificationWriter(model).store(event)).toEqual([{ recipientId: 'carol' }]);
  });
});
