import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainException } from '../common/exceptions/domain.exception';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** 1-255 visible ASCII characters (0x21-0x7E: no space, no control character). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

/** What identifies a retry: the key (hashed) and the request it was first used with (hashed). */
export interface IdempotentRequest {
  /** SHA-256 (hex) of the Idempotency-Key header. */
  keyHash: string;
  /** SHA-256 (hex) of the method, the path (without query) and the canonical JSON body. */
  requestHash: string;
}

const seen = new WeakMap<object, IdempotentRequest | null>();

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with every object's keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one body. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The request's Idempotency-Key and hash, or null when it has no such header. A header that is
 * empty, longer than 255 characters, not visible ASCII, or sent twice is 400 VALIDATION_FAILED.
 * Read once per request (the throttler guard and the interceptor both ask).
 */
export function idempotentRequest(request: FastifyRequest): IdempotentRequest | null {
  const known = seen.get(request);
  if (known !== undefined) return known;
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    seen.set(request, null);
    return null;
  }
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new DomainException('VALIDATION_FAILED', 'Idempotency-Key must be one header of 1-255 visible ASCII characters (no spaces)');
  }
  const path = request.url.split('?')[0];
  const parsed = { keyHash: sha256(header), requestHash: sha256(`${request.method} ${path}\n${canonicalJson(request.body)}`) };
  seen.set(request, parsed);
  return parsed;
}
