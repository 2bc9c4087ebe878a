import { UnprocessableEntityException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Types } from 'mongoose';
import { duplicateKeyError, FakeIdempotencyKeyRepository } from '../../../../test/support/fakes';
import { IdempotencyKeyRepository } from '../dal/idempotency-keys/idempotency-key.repository';
import { CreateMessageDto } from './dto/create-message.dto';
import { idempotencyRecordId, IdempotencyService, requestHash } from './idempotency.service';

describe('idempotencyRecordId', () => {
  it('keeps the sender:key form for sender ids without a colon', () => {
    expect(idempotencyRecordId('alice', 'k-1')).toBe('alice:k-1');
  });

  it('gives different records to pairs that would concatenate alike', () => {
    const pairs: Array<[string, string]> = [
      ['a:b', 'c'],
      ['a', 'b:c'],
      ['a:b:c', ''],
      ['1#a', 'b'],
      ['a:', 'b'],
    ];
    const ids = pairs.map(([s, k]) => idempotencyRecordId(s, k));
    expect(new Set(ids).size).toBe(pairs.length);
  });

  it('is stable for the same pair', () => {
    expect(idempotencyRecordId('org:alice', 'k')).toBe(idempotencyRecordId('org:alice', 'k'));
  });
});

/** Reserves with the real service over an in-memory `idempotency_keys`. */
async function reserveSetup() {
  const keys = new FakeIdempotencyKeyRepository();
  const moduleRef = await Test.createTestingModule({
    providers: [IdempotencyService, { provide: IdempotencyKeyRepository, useValue: keys }],
  }).compile();
  return { service: moduleRef.get(IdempotencyService), keys };
}

const body = (over: Partial<CreateMessageDto> = {}): CreateMessageDto => ({
  recipientIds: ['bob'],
  body: 'Lunch at noon?',
  ...over,
});

describe('IdempotencyService.reserve: one identity per (sender, key), fixed by the first body', () => {
  it('gives every retry with the same key and body the ids of the first request', async () => {
    const { service } = await reserveSetup();
    const first = await service.reserve('alice', 'k-1', body());
    const retry = await service.reserve('alice', 'k-1', body());
    expect(retry.messageId.equals(first.messageId)).toBe(true);
    expect(retry.eventId).toBe(first.eventId);
  });

  it('keeps keys per sender and per key: another sender or another key gets new ids', async () => {
    const { service } = await reserveSetup();
    const alice = await service.reserve('alice', 'k-1', body());
    const carol = await service.reserve('carol', 'k-1', body());
    const other = await service.reserve('alice', 'k-2', body());
    expect(new Set([alice, carol, other].map((r) => r.messageId.toHexString())).size).toBe(3);
    expect(new Set([alice, carol, other].map((r) => r.eventId)).size).toBe(3);
  });

  it.each([
    ['another body', body({ body: 'Dinner at eight?' })],
    ['other recipients', body({ recipientIds: ['bob', 'carol'] })],
    ['a conversationId the first request had not', body({ conversationId: 'team-lunch' })],
  ])('answers 422 when the key is reused with %s', async (_what, changed) => {
    const { service } = await reserveSetup();
    await service.reserve('alice', 'k-1', body());
    await expect(service.reserve('alice', 'k-1', changed)).rejects.toBeInstanceOf(UnprocessableEntityException);
  });

  it("after losing the upsert race to a concurrent first request, returns that request's ids", async () => {
    const { service, keys } = await reserveSetup();
    const winner = {
      _id: 'alice:k-1',
      requestHash: requestHash(body()),
      messageId: new Types.ObjectId(),
      eventId: 'winner-event',
      createdAt: new Date(),
    };
    keys.failNext.push({ error: duplicateKeyError(), before: () => keys.records.set(winner._id, winner) });
    const got = await service.reserve('alice', 'k-1', body());
    expect(keys.calls).toEqual(['alice:k-1', 'alice:k-1']);
    expect(got.messageId.equals(winner.messageId)).toBe(true);
    expect(got.eventId).toBe('winner-event');
  });

  it('gives up with an error (not a 422) after three duplicate-key failures in a row', async () => {
    const { service, keys } = await reserveSetup();
    for (let i = 0; i < 4; i++) keys.failNext.push({ error: duplicateKeyError() });
    const err = await service.reserve('alice', 'k-1', body()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UnprocessableEntityException);
    expect(keys.calls).toHaveLength(3);
  });

  it('does not retry an error other than a duplicate key', async () => {
    const { service, keys } = await reserveSetup();
    keys.failNext.push({ error: new Error('connection reset') });
    await expect(service.reserve('alice', 'k-1', body())).rejects.toThrow('connection reset');
    expect(keys.calls).toHaveLength(1);
  });
});
