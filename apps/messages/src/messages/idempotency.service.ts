import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { Types } from 'mongoose';
import { createHash, randomUUID } from 'node:crypto';
import { isDuplicateKeyError } from '@herald/mongo';
import { CreateMessageDto } from './dto/create-message.dto';
import { IdempotencyKeyRepository } from '../dal/idempotency-keys/idempotency-key.repository';
import { IdempotencyKey } from '../dal/idempotency-keys/idempotency-key.schema';

/** The identity a request's message will have: fixed by the first request with that key. */
export interface ReservedIdentity {
  messageId: Types.ObjectId;
  eventId: string;
}

/** SHA-256 of the request body with keys in a fixed order (JSON key order must not matter). */
export function requestHash(dto: CreateMessageDto): string {
  const canonical = JSON.stringify([dto.recipientIds, dto.body, dto.conversationId ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * `_id` of the record for `(senderId, key)`, unique per pair. A sender id without `:` keeps the
 * historical `sender:key` form (the sender ends at the first `:`); a sender id with `:` (allowed by
 * `Patterns.id`) is written `length#sender:key`, since `#` never occurs in a sender id, so
 * `a:b` + `c` and `a` + `b:c` can no longer share a record.
 */
export function idempotencyRecordId(senderId: string, key: string): string {
  return senderId.includes(':') ? `${senderId.length}#${senderId}:${key}` : `${senderId}:${key}`;
}

/**
 * `Idempotency-Key` handling for `POST /api/v1/messages` (the IETF draft
 * "The Idempotency-Key HTTP Header Field"): the first request with a key reserves a message id and
 * an event id; every retry with the same key and body gets the same ids, so at most one message and
 * one event exist whatever the timing (concurrent retries race on the message `_id`, and one wins).
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly keys: IdempotencyKeyRepository) {}

  /**
   * @returns the identity reserved for `(senderId, key)` — new, or the one of the first request
   * @throws UnprocessableEntityException (422) when the key was used with a different body
   */
  async reserve(senderId: string, key: string, dto: CreateMessageDto): Promise<ReservedIdentity> {
    const hash = requestHash(dto);
    const id = idempotencyRecordId(senderId, key);
    let record: IdempotencyKey | null = null;
    for (let attempt = 0; attempt < 3 && !record; attempt++) {
      try {
        record = await this.keys.reserve(id, {
          requestHash: hash,
          messageId: new Types.ObjectId(),
          eventId: randomUUID(),
          createdAt: new Date(),
        });
      } catch (err) {
        // Two first requests raced on the upsert: the loser reads the winner's record next time.
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    if (!record) throw new Error(`idempotency key ${id} could not be reserved`);
    if (record.requestHash !== hash) {
      throw new UnprocessableEntityException({
        message: 'Idempotency-Key was already used with a different request body',
        details: [{ field: 'Idempotency-Key', errors: ['key reused with a different body'] }],
      });
    }
    return { messageId: record.messageId, eventId: record.eventId };
  }
}
