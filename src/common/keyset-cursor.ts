import { Matches } from 'class-validator';
import { DomainException } from './exceptions/domain.exception';

/**
 * Where a page of a keyset-paged list (admin calls, admin recordings) ended: its last row's creation
 * instant and id. Newest-first lists continue strictly before it, so rows created meanwhile never
 * shift a page.
 */
export interface KeysetCursor {
  createdAt: Date;
  id: number;
}

const MAX_ID = 2_147_483_647;
const INVALID = 'cursor must be a nextCursor a previous page gave';
const DECODED = /^(\d{1,15})\.(\d{1,10})$/;

/** Opaque to clients: base64url of `<created_at in ms>.<id>`. */
export function encodeKeysetCursor(cursor: KeysetCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`, 'utf8').toString('base64url');
}

/** The cursor a page gave, or 400 `VALIDATION_FAILED` for anything a list did not give out. */
export function decodeKeysetCursor(text: string): KeysetCursor {
  const match = DECODED.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const cursor = match ? { createdAt: new Date(Number(match[1])), id: Number(match[2]) } : null;
  // Only the canonical spelling of a valid cursor: anything else was not produced here.
  if (!cursor || cursor.id < 1 || cursor.id > MAX_ID || Number.isNaN(cursor.createdAt.getTime()) || encodeKeysetCursor(cursor) !== text) {
    throw new DomainException('VALIDATION_FAILED', INVALID);
  }
  return cursor;
}

/** The `cursor` query field's shape check (base64url, short); `decodeKeysetCursor` checks the rest. */
export const IsKeysetCursor = (): PropertyDecorator => Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: INVALID });
