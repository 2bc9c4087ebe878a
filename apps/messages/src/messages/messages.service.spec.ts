import {
  ConflictException,
  InternalServerErrorException,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Types } from 'mongoose';
import {
  FakeIdempotencyKeyRepository,
  FakeMessageRepository,
  FakeOutboxRepository,
  storedMessage,
} from '../../../../test/support/fakes';
import { IdempotencyKeyRepository } from '../dal/idempotency-keys/idempotency-key.repository';
import { StoredMessage } from '../dal/messages/message.schema';
import { DocumentWriteError, MessageRepository } from '../dal/messages/message.repository';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { ConversationAccess } from './conversation-access';
import { deriveConversationId } from './conversation-id';
import { CreateMessageDto } from './dto/create-message.dto';
import { IdempotencyService } from './idempotency.service';
import { CommitResult, MessageGroupCommit } from './message-group-commit';
import { MessagesService } from './messages.service';

/**
 * The group commit's contract without its batching: stores the message (a duplicate `_id` or
 * `eventId` rejects with `DocumentWriteError` code 11000, as the real one does) and reports whether
 * Kafka acknowledged the event; an unacknowledged event stays in the outbox.
 */
class FakeGroupCommit implements Pick<MessageGroupCommit, 'submit'> {
  acknowledged = true;
  /** When set, `submit` rejects with it before storing anything (e.g. MongoDB unreachable). */
  failWith?: Error;
  readonly submitted: StoredMessage[] = [];

  constructor(
    private readonly messages: FakeMessageRepository,
    private readonly outbox: FakeOutboxRepository,
  ) {}

  async submit(doc: StoredMessage): Promise<CommitResult> {
    this.submitted.push(doc);
    if (this.failWith) throw this.failWith;
    const { duplicates, rejected } = await this.messages.insertMany([doc]);
    const err = duplicates.get(0) ?? rejected.get(0);
    if (err) throw err;
    if (!this.acknowledged) await this.outbox.add([doc], 0);
    return { published: this.acknowledged };
  }
}

/** The real service, access rule and idempotency service over in-memory repositories. */
async function setup() {
  const messages = new FakeMessageRepository();
  const outbox = new FakeOutboxRepository();
  const keys = new FakeIdempotencyKeyRepository();
  const commit = new FakeGroupCommit(messages, outbox);
  const moduleRef = await Test.createTestingModule({
    providers: [
      MessagesService,
      IdempotencyService,
      ConversationAccess,
      { provide: MessageGroupCommit, useValue: commit },
      { provide: MessageRepository, useValue: messages },
      { provide: OutboxRepository, useValue: outbox },
      { provide: IdempotencyKeyRepository, useValue: keys },
    ],
  }).compile();
  return { service: moduleRef.get(MessagesService), messages, outbox, keys, commit };
}

const dto = (over: Partial<CreateMessageDto> = {}): CreateMessageDto => ({
  recipientIds: ['bob'],
  body: 'Lunch at noon?',
  ...over,
});

describe('MessagesService.create: stores a message once per request (once per Idempotency-Key)', () => {
  it('stores the message in the conversation derived from the participants, published once Kafka acknowledged it', async () => {
    const { service, messages } = await setup();
    const { message, created } = await service.create('alice', dto({ recipientIds: ['carol', 'bob'] }));
    expect(created).toBe(true);
    expect(message).toMatchObject({ senderId: 'alice', recipientIds: ['carol', 'bob'], publishState: 'published' });
    expect(message.conversationId).toBe(deriveConversationId('bob', ['alice', 'carol']));
    const stored = messages.stored.get(message.id);
    expect(stored?.participants).toEqual(['alice', 'bob', 'carol']);
  });

  it('answers publishState pending when the event was left in the outbox', async () => {
    const { service, commit } = await setup();
    commit.acknowledged = false;
    expect((await service.create('alice', dto())).message.publishState).toBe('pending');
  });

  it('returns the first message (created: false) to a retry with the same key, and stores nothing new', async () => {
    const { service, messages, commit } = await setup();
    const first = await service.create('alice', dto(), 'k-1');
    const retry = await service.create('alice', dto(), 'k-1');
    expect(retry.created).toBe(false);
    expect(retry.message).toEqual(first.message);
    expect(commit.submitted.map((m) => m._id.toHexString())).toEqual([first.message.id, first.message.id]);
    expect(messages.stored.size).toBe(1);
  });

  it('reports a replayed message pending while its event still waits in the outbox', async () => {
    const { service, commit } = await setup();
    commit.acknowledged = false;
    const first = await service.create('alice', dto(), 'k-1');
    const retry = await service.create('alice', dto(), 'k-1');
    expect(retry).toMatchObject({ created: false, message: { id: first.message.id, publishState: 'pending' } });
  });

  it('answers 422 to a key reused with another body, and stores nothing more', async () => {
    const { service, messages } = await setup();
    await service.create('alice', dto(), 'k-1');
    await expect(service.create('alice', dto({ body: 'Dinner?' }), 'k-1')).rejects.toBeInstanceOf(
      UnprocessableEntityException,
    );
    expect(messages.stored.size).toBe(1);
  });

  it('does not turn a duplicate key into a replay without an Idempotency-Key', async () => {
    const { service, commit } = await setup();
    commit.failWith = new DocumentWriteError('E11000 duplicate key error', 11000);
    await expect(service.create('alice', dto())).rejects.toBeInstanceOf(ConflictException);
  });

  it('answers a document the server rejected for another reason with a 500 that keeps the reason as its cause', async () => {
    const { service, commit } = await setup();
    commit.failWith = new DocumentWriteError('Document failed validation', 121);
    const err: unknown = await service.create('alice', dto()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerErrorException);
    expect((err as InternalServerErrorException).cause).toBe(commit.failWith);
  });

  it('lets a failed store fail the keyed request, and a retry with the key then stores the message', async () => {
    const { service, commit, messages } = await setup();
    commit.failWith = new Error('server selection timed out');
    await expect(service.create('alice', dto(), 'k-1')).rejects.toThrow('server selection timed out');
    commit.failWith = undefined;
    const retry = await service.create('alice', dto(), 'k-1');
    expect(retry.created).toBe(true);
    expect(retry.message.id).toBe(commit.submitted[0]._id.toHexString());
    expect(messages.stored.size).toBe(1);
  });

  it('answers 404 for a named conversation the sender takes no part in, before the key is reserved', async () => {
    const { service, messages, keys } = await setup();
    messages.seed(storedMessage({ conversationId: 'team-lunch', senderId: 'bob', recipientIds: ['carol'] }));
    await expect(service.create('alice', dto({ conversationId: 'team-lunch' }), 'k-1')).rejects.toBeInstanceOf(
      NotFoundException,
    );
    expect(keys.calls).toEqual([]);
    expect(messages.stored.size).toBe(1);
  });
});

describe('MessagesService.findForUser: a message is visible to its participants only, 404 otherwise', () => {
  it('returns the message to its sender and to each recipient', async () => {
    const { service, messages } = await setup();
    const doc = storedMessage({ senderId: 'alice', recipientIds: ['bob'] });
    messages.seed(doc);
    for (const user of ['alice', 'bob']) {
      expect(await service.findForUser(doc._id.toHexString(), user)).toMatchObject({
        id: doc._id.toHexString(),
        body: doc.body,
        publishState: 'published',
      });
    }
  });

  it('answers 404 to a user who is not a participant, as for a missing message', async () => {
    const { service, messages } = await setup();
    const doc = storedMessage({ senderId: 'alice', recipientIds: ['bob'] });
    messages.seed(doc);
    await expect(service.findForUser(doc._id.toHexString(), 'mallory')).rejects.toBeInstanceOf(NotFoundException);
    await expect(service.findForUser(new Types.ObjectId().toHexString(), 'alice')).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it.each(['not-an-id', '665f1c2e8b3e4a001234567', '665f1c2e8b3e4a00123456789', 'zzzzzzzzzzzzzzzzzzzzzzzz'])(
    'answers 404 for the malformed id %j without querying the store',
    async (id) => {
      const { service, messages } = await setup();
      await expect(service.findForUser(id, 'alice')).rejects.toBeInstanceOf(NotFoundException);
      expect(messages.findByIdCalls).toBe(0);
    },
  );

  it('reports pending while the message is in an outbox entry', async () => {
    const { service, messages, outbox } = await setup();
    const doc = storedMessage();
    messages.seed(doc);
    outbox.put([doc]);
    expect((await service.findForUser(doc._id.toHexString(), 'bob')).publishState).toBe('pending');
  });
});
