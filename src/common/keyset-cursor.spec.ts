import { DomainException } from './exceptions/domain.exception';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';

describe('keyset cursor', () => {
  it('round-trips the last call of a page', () => {
    const cursor = { createdAt: new Date('2026-02-02T10:00:00.123Z'), id: 42 };
    const text = encodeKeysetCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeysetCursor(text)).toEqual(cursor);
  });

  it.each([
    ['not base64 of a cursor', Buffer.from('hello').toString('base64url')],
    ['id 0', Buffer.from('1764029900000.0').toString('base64url')],
    ['id past int', Buffer.from('1764029900000.2147483648').toString('base64url')],
    ['leading zeros (not canonical)', Buffer.from('01764029900000.5').toString('base64url')],
    ['empty', ''],
  ])('refuses %s with VALIDATION_FAILED', (_what, text) => {
    expect(() => decodeKeysetCursor(text)).toThrow(DomainException);
    try {
      decodeKeysetCursor(text);
    } catch (error) {
      expect((error as DomainException).code).toBe('VALIDATION_FAILED');
    }
  });
});
