import { BadRequestException } from '@nestjs/common';
import { Patterns } from '@herald/contracts';

/** Position in a list sorted by (time desc, id desc). */
export interface Position {
  at: Date;
  id: string;
}

/**
 * Shape of a conversation-list cursor: `<epoch ms>~<conversation id>` (the id as `Patterns.id`).
 * Every string of this shape
 * is a valid position (≤ 15 digits stays inside the ECMAScript Date range, ECMA-262 §21.4.1.1), so
 * the OpenAPI pattern describes exactly what the API accepts.
 */
export const CURSOR_PATTERN = new RegExp(`^\\d{1,15}~${Patterns.id.source.slice(1, -1)}$`);

/** Encodes a position as a cursor (`~` is not a conversation-id character). */
export function encodeCursor(p: Position): string {
  return `${p.at.getTime()}~${p.id}`;
}

/**
 * Decodes a cursor made by {@link encodeCursor}.
 * @throws BadRequestException (400, field `after`) for anything else
 */
export function decodeCursor(cursor: string): Position {
  if (!CURSOR_PATTERN.test(cursor))
    throw new BadRequestException({
      message: 'Invalid request: after',
      details: [{ field: 'after', errors: ['after is not a valid cursor'] }],
    });
  const split = cursor.indexOf('~');
  return { at: new Date(Number(cursor.slice(0, split))), id: cursor.slice(split + 1) };
}
