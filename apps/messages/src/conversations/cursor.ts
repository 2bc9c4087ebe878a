import { BadRequestException } from '@nestjs/common';

/** Position in a list sorted by (time desc, id desc). */
export interface Position {
  at: Date;
  id: string;
}

/** Encodes a position as an opaque base64url cursor. */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.at.getTime(), p.id])).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}.
 * @throws BadRequestException (400, field `after`) for anything else
 */
export function decodeCursor(cursor: string): Position {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof ms === 'number' && Number.isFinite(ms) && typeof id === 'string' && id.length <= 128) return { at: new Date(ms), id };
  } catch {
    // fall through
  }
  throw new BadRequestException({ message: 'Invalid request: after', details: [{ field: 'after', errors: ['after is not a valid cursor'] }] });
}
