import { BadRequestException, NotFoundException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Types } from 'mongoose';
import {
  FakeConversationRepository,
  FakeMessageRepository,
  FakeOutboxRepository,
  storedMessage,
} from '../../../../test/support/fakes';
import { ConversationRepository } from '../dal/conversations/conversation.repository';
import { Conversation } from '../dal/conversations/conversation.schema';
import { MessageRepository } from '../dal/messages/message.repository';
import { OutboxRepository } from '../dal/outbox/outbox.repository';
import { ConversationsService } from './conversations.service';

/** The real service over in-memory `conversations`, `messages` and `outbox`. */
async function setup() {
  const conversations = new FakeConversationRepository();
  const messages = new FakeMessageRepository();
  const outbox = new FakeOutboxRepository();
  const moduleRef = await Test.createTestingModule({
    providers: [
      ConversationsService,
      { provide: ConversationRepository, useValue: conversations },
      { provide: MessageRepository, useValue: messages },
      { provide: OutboxRepository, useValue: outbox },
    ],
  }).compile();
  return { service: moduleRef.get(ConversationsService), conversations, messages, outbox };
}

/** Messages alice → bob in `team-lunch`, with increasing ids (oldest first). */
const thread = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    storedMessage({ _id: new Types.ObjectId(Math.floor(Date.UTC(2026, 0, 5, 12, i) / 1000)), body: `message ${i}` }),
  );

/** The `after` error of a 400: field `after`. */
const afterField = (err: unknown) =>
  ((err as BadRequestException).getResponse() as { details: Array<{ field: string }> }).details.map((d) => d.field);

describe("ConversationsService.history: a conversation's messages for its participants only, newest first", () => {
  it('answers 404 to a user with no message in the conversation, with or without a cursor', async () => {
    const { service, messages } = await setup();
    const docs = thread(3);
    messages.seed(...docs);
    await expect(service.history('mallory', 'team-lunch', {})).rejects.toBeInstanceOf(NotFoundException);
    await expect(service.history('mallory', 'team-lunch', { after: docs[2]._id.toHexString() })).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(service.history('alice', 'no-such-conversation', {})).rejects.toBeInstanceOf(NotFoundException);
    expect(messages.historyPageCalls).toBe(0);
  });

  it.each(['not-a-cursor', '1767614400000~team-lunch', '665f1c2e8b3e4a001234567'])(
    'answers 400 (field after) for the malformed cursor %j',
    async (after) => {
      const { service, messages } = await setup();
      messages.seed(...thread(1));
      const err = await service.history('alice', 'team-lunch', { after }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestException);
      expect(afterField(err)).toEqual(['after']);
      expect(messages.historyPageCalls).toBe(0);
    },
  );

  it('pages newest first: nextCursor is the last id, the next page holds the older ones, hasMore false at the end', async () => {
    const { service, messages } = await setup();
    const docs = thread(5);
    messages.seed(...docs);
    const hex = (i: number) => docs[i]._id.toHexString();

    const first = await service.history('bob', 'team-lunch', { limit: 3 });
    expect(first.data.map((m) => m.id)).toEqual([hex(4), hex(3), hex(2)]);
    expect(first).toMatchObject({ hasMore: true, nextCursor: hex(2) });

    const second = await service.history('bob', 'team-lunch', { limit: 3, after: first.nextCursor! });
    expect(second.data.map((m) => m.id)).toEqual([hex(1), hex(0)]);
    expect(second).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it('reports pending for the messages whose event is still in the outbox', async () => {
    const { service, messages, outbox } = await setup();
    const [sent, waiting] = thread(2);
    messages.seed(sent, waiting);
    outbox.put([waiting]);
    const page = await service.history('alice', 'team-lunch', {});
    expect(page.data.map((m) => [m.id, m.publishState])).toEqual([
      [waiting._id.toHexString(), 'pending'],
      [sent._id.toHexString(), 'published'],
    ]);
  });
});

describe("ConversationsService.list: the user's conversations, most recent first, by an opaque (time, id) cursor", () => {
  const summary = (id: string, minute: number, participants = ['alice', 'bob']): Conversation => ({
    _id: id,
    participants,
    createdAt: new Date(Date.UTC(2026, 0, 5, 12)),
    lastMessageAt: new Date(Date.UTC(2026, 0, 5, 12, minute)),
    lastMessage: null,
  });

  it("pages through the user's conversations without skipping or repeating one (ties broken by id)", async () => {
    const { service, conversations } = await setup();
    conversations.summaries.push(
      summary('a', 1),
      summary('b', 5),
      summary('c', 5),
      summary('d', 3),
      summary('other', 9, ['carol', 'dave']),
    );

    const first = await service.list('alice', { limit: 2 });
    expect(first.data.map((c) => c.id)).toEqual(['c', 'b']);
    expect(first.hasMore).toBe(true);
    const second = await service.list('alice', { limit: 2, after: first.nextCursor! });
    expect(second.data.map((c) => c.id)).toEqual(['d', 'a']);
    expect(second).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it.each(['garbage', '12~', '~team', '1234567890123456~team'])(
    'answers 400 (field after) for the malformed cursor %j without a query',
    async (after) => {
      const { service, conversations } = await setup();
      const err = await service.list('alice', { after }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestException);
      expect(afterField(err)).toEqual(['after']);
      expect(conversations.listCalls).toBe(0);
    },
  );
});
