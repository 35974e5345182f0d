import { DomainException } from '../common/exceptions/domain.exception';

/** Where a page of the admin call list ended: its last call's creation instant and id. */
export interface CallCursor {
  createdAt: Date;
  id: number;
}

const MAX_ID = 2_147_483_647;
const DECODED = /^(\d{1,15})\.(\d{1,10})$/;

/** Opaque to clients: base64url of `<created_at in ms>.<id>`. */
export function encodeCallCursor(cursor: CallCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`, 'utf8').toString('base64url');
}

/** The cursor a page gave, or 400 `VALIDATION_FAILED` for anything this route did not give out. */
export function decodeCallCursor(text: string): CallCursor {
  const match = DECODED.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const cursor = match ? { createdAt: new Date(Number(match[1])), id: Number(match[2]) } : null;
  // Only the canonical spelling of a valid cursor: anything else was not produced here.
  if (!cursor || cursor.id < 1 || cursor.id > MAX_ID || Number.isNaN(cursor.createdAt.getTime()) || encodeCallCursor(cursor) !== text) {
    throw new DomainException('VALIDATION_FAILED', 'cursor must be a nextCursor this route gave');
  }
  return cursor;
}
