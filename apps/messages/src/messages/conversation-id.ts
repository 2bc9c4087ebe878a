import { createHash } from 'node:crypto';

/** Prefix of conversation ids Herald derives from the participants (see {@link deriveConversationId}). */
export const DERIVED_PREFIX = 'dm_';

/**
 * Derives the conversation id of a set of participants: `dm_` + the first 32 hex chars of the
 * SHA-256 of the sorted, de-duplicated user ids joined by `\n`.
 *
 * Deterministic and order-independent: alice→[bob] and bob→[alice] share a conversation, and
 * so do alice→[bob, carol] and carol→[alice, bob]. User ids cannot contain `\n` (DTO rule), so
 * different sets never join to the same string.
 */
export function deriveConversationId(senderId: string, recipientIds: readonly string[]): string {
  const participants = [...new Set([senderId, ...recipientIds])].sort();
  return DERIVED_PREFIX + createHash('sha256').update(participants.join('\n')).digest('hex').slice(0, 32);
}
