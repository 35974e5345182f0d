import { startApp, TestApp } from './support/test-app';

/** The CORS headers themselves (test/browser.e2e-spec.ts shows a real browser obeying them). */
describe('CORS with CORS_ORIGINS', () => {
  let t: TestApp;
  const ORIGIN = 'https://app.ikoota.example';

  beforeAll(async () => {
    t = await startApp({ CORS_ORIGINS: `${ORIGIN},https://admin.ikoota.example` });
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])('allows %s with Authorization, Content-Type, X-Request-Id and Idempotency-Key in a preflight, cached for 10 minutes', async (method) => {
    const res = await t.http
      .options('/api/calling/admin/1/participants/2')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', 'authorization, content-type, x-request-id, idempotency-key');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-allow-methods'].split(/,\s*/)).toContain(method);
    expect(res.headers['access-control-allow-headers'].toLowerCase().split(/,\s*/)).toEqual(['authorization', 'content-type', 'x-request-id', 'idempotency-key']);
    expect(res.headers['access-control-max-age']).toBe('600');
  });

  it('exposes the request id, Retry-After, Idempotent-Replayed and every rate-limit header to page scripts', async () => {
    const res = await t.http.get('/api/health').set('Origin', ORIGIN);
    const exposed = res.headers['access-control-expose-headers'].split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['X-Request-Id', 'Retry-After', 'Idempotent-Replayed', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']));
    for (const name of ['token', 'create', 'join', 'analytics']) {
      expect(exposed).toEqual(expect.arrayContaining([`X-RateLimit-Limit-${name}`, `X-RateLimit-Remaining-${name}`, `X-RateLimit-Reset-${name}`, `Retry-After-${name}`]));
    }
  });

  it('gives an origin that is not listed no Access-Control-Allow-Origin, in a preflight or an answer', async () => {
    const preflight = await t.http.options('/api/calling/preferences').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'PUT');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const answer = await t.http.get('/api/health').set('Origin', 'https://evil.example');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});
