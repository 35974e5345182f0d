import type { FastifyRequest } from 'fastify';
import { DomainException } from '../common/exceptions/domain.exception';
import { canonicalJson, idempotentRequest } from './idempotent-request';

const request = (headers: Record<string, string | string[]>, body?: unknown, url = '/api/calling/create', method = 'POST') =>
  ({ headers, body, url, method }) as unknown as FastifyRequest;

describe('idempotentRequest', () => {
  it('is null without the header: the request is not idempotent', () => {
    expect(idempotentRequest(request({}, { title: 'A' }))).toBeNull();
  });

  it.each([[''], ['x'.repeat(256)], ['with space'], ['tab\there'], ['caf\u00e9']])('refuses the key %j with 400 VALIDATION_FAILED', (key) => {
    expect(() => idempotentRequest(request({ 'idempotency-key': key }))).toThrow(DomainException);
  });

  it('refuses the header sent twice', () => {
    expect(() => idempotentRequest(request({ 'idempotency-key': ['a', 'b'] }))).toThrow(DomainException);
  });

  it('is one request whatever the order of the body keys; another body, path or method is another', () => {
    const key = { 'idempotency-key': 'k-1' };
    const a = idempotentRequest(request(key, { title: 'A', isPublic: true, nested: { b: 1, a: [2, 1] } }));
    const b = idempotentRequest(request(key, { nested: { a: [2, 1], b: 1 }, isPublic: true, title: 'A' }));
    expect(a).toEqual(b);
    expect(idempotentRequest(request(key, { title: 'B', isPublic: true, nested: { b: 1, a: [2, 1] } }))!.requestHash).not.toBe(a!.requestHash);
    expect(idempotentRequest(request(key, { title: 'A', isPublic: true, nested: { b: 1, a: [1, 2] } }))!.requestHash).not.toBe(a!.requestHash);
    expect(idempotentRequest(request(key, { title: 'A', isPublic: true, nested: { b: 1, a: [2, 1] } }, '/api/calling/direct'))!.requestHash).not.toBe(a!.requestHash);
    expect(idempotentRequest(request(key, { title: 'A', isPublic: true, nested: { b: 1, a: [2, 1] } }, '/api/calling/create', 'PUT'))!.requestHash).not.toBe(a!.requestHash);
    // The query string is not part of the request.
    expect(idempotentRequest(request(key, { title: 'A', isPublic: true, nested: { b: 1, a: [2, 1] } }, '/api/calling/create?x=1'))).toEqual(a);
  });

  it('hashes the key, so keys differing only in case stay two keys', () => {
    const upper = idempotentRequest(request({ 'idempotency-key': 'KEY' }))!;
    const lower = idempotentRequest(request({ 'idempotency-key': 'key' }))!;
    expect(upper.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(upper.keyHash).not.toBe(lower.keyHash);
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps arrays in order; no body is the empty string', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(undefined)).toBe('');
    expect(canonicalJson({})).toBe('{}');
  });
});
