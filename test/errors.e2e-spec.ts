import { STATUS_CODES } from 'node:http';
import type { Response } from 'supertest';
import { ERROR_CODES } from '../src/common/exceptions/domain.exception';
import { MAX_JSON_DEPTH } from '../src/common/json-depth';
import { as } from './support/jwt';
import { callOperation, fetchOpenApi, fillPath, isPublic, listOperations, OpenApiDocument, Operation } from './support/openapi';
import { startApp, TestApp } from './support/test-app';

/**
 * One error body everywhere: `{ statusCode, error, message }` (+ `code`, and `errors` for
 * validation). Malformed JSON, foreign content types, unknown routes, unknown fields, wrong body
 * types and bad path ids are all 4xx with that body, never 500 and never HTML.
 */

const ERROR_KEYS = ['statusCode', 'error', 'message', 'code', 'errors'];

interface ErrorOutcome {
  what: string;
  status: number;
  json: boolean;
  shape: boolean;
  extraKeys: string[];
}

/** Summarises an answer so one toEqual shows every place that breaks the rule. */
function errorOutcome(what: string, res: Response): ErrorOutcome {
  const body = res.body as Record<string, unknown>;
  return {
    what,
    status: res.status,
    json: /^application\/json/.test(String(res.headers['content-type'])),
    shape:
      typeof body === 'object' &&
      body !== null &&
      body.statusCode === res.status &&
      body.error === STATUS_CODES[res.status] &&
      typeof body.message === 'string' &&
      (body.message as string).length > 0 &&
      typeof body.code === 'string',
    extraKeys: typeof body === 'object' && body !== null ? Object.keys(body).filter((key) => !ERROR_KEYS.includes(key)) : [],
  };
}

const expected = (what: string, status: number): ErrorOutcome => ({ what, status, json: true, shape: true, extraKeys: [] });

describe('errors: one body everywhere', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let guarded: Operation[];
  let userId = 50_000;
  /** A caller who passes the guard of the operation, fresh each time so rate limits never interfere. */
  const callerFor = (op: Operation): Record<string, string> => (op.admin ? as.superAdmin((userId += 1)) : as.member((userId += 1)));

  beforeAll(async () => {
    t = await startApp();
    doc = await fetchOpenApi(t.http);
    guarded = listOperations(doc).filter((op) => !isPublic(op));
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A POST operation members may call, to send broken bodies to. */
  function memberPost(): Operation {
    const posts = guarded.filter((op) => op.method === 'post' && !op.admin);
    const op = posts.find((o) => o.path === '/api/calling/create') ?? posts[0];
    if (!op) throw new Error('No member POST operation in /api/docs-json to send broken bodies to');
    return op;
  }

  it('answers malformed JSON with 400 and the error body', async () => {
    const op = memberPost();
    const res = await t.http
      .post(fillPath(op.path))
      .set(callerFor(op))
      .set('Content-Type', 'application/json')
      .send('{"title": "unterminated');
    expect(errorOutcome(op.label, res)).toEqual(expected(op.label, 400));
  });

  it.each([
    ['application/xml', '<call><title>x</title></call>'],
    ['application/x-www-form-urlencoded', 'title=x'],
    ['text/plain', '{"title": "JSON, but not labelled as JSON"}'],
    ['text/plain; charset=utf-8', 'title=x'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--x--'],
  ])('answers a %s body with 415 UNSUPPORTED_MEDIA_TYPE and the error body', async (contentType, body) => {
    const op = memberPost();
    const res = await t.http.post(fillPath(op.path)).set(callerFor(op)).set('Content-Type', contentType).send(body);
    expect({ ...errorOutcome(op.label, res), code: res.body.code }).toEqual({ ...expected(op.label, 415), code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('gives every error answer a code from the code table, Fastify and Nest refusals included', async () => {
    const op = memberPost();
    const answers = await Promise.all([
      t.http.post(fillPath(op.path)).set(callerFor(op)).set('Content-Type', 'application/json').send('{"title": "unterminated'),
      t.http.post(fillPath(op.path)).set(callerFor(op)).send({ title: 'x'.repeat(2 * 1024 * 1024) }),
      t.http.get('/api/no-such-route'),
      t.http.post(fillPath(op.path)),
      t.http.post('/api/calling/webhooks/agora').send({}),
    ]);
    expect(answers.map((res) => [res.status, res.body.code])).toEqual([
      [400, 'VALIDATION_FAILED'],
      [413, 'PAYLOAD_TOO_LARGE'],
      [404, 'ROUTE_NOT_FOUND'],
      [401, 'AUTH_MISSING_TOKEN'],
      // Webhooks without AGORA_NCS_SECRET look like an unknown route.
      [404, 'ROUTE_NOT_FOUND'],
    ]);
    // Messages clients already read stay as they were.
    expect(answers[1].body.message).toBe('Request body is too large');
    expect(answers[2].body.message).toBe('Cannot GET /api/no-such-route');
    expect(answers[4].body.message).toBe('Not Found');
    for (const res of answers) expect(Object.keys(ERROR_CODES)).toContain(res.body.code);
  });

  it('answers an oversized body with 413 and the error body', async () => {
    const op = memberPost();
    const res = await t.http.post(fillPath(op.path)).set(callerFor(op)).send({ title: 'x'.repeat(2 * 1024 * 1024) });
    expect({ ...errorOutcome(op.label, res), code: res.body.code }).toEqual({ ...expected(op.label, 413), code: 'PAYLOAD_TOO_LARGE' });
  });

  it.each([
    ['GET', '/api/no-such-route'],
    ['POST', '/api/calling/no/such/route'],
    ['GET', '/no-prefix'],
    ['DELETE', '/api/health'],
  ])('answers %s %s with 404 and the error body', async (method, url) => {
    const res = method === 'GET' ? await t.http.get(url) : method === 'POST' ? await t.http.post(url).send({}) : await t.http.delete(url);
    expect({ ...errorOutcome(`${method} ${url}`, res), code: res.body.code }).toEqual({ ...expected(`${method} ${url}`, 404), code: 'ROUTE_NOT_FOUND' });
  });

  describe('operations with a JSON body', () => {
    const withBody = (): Operation[] => guarded.filter((op) => op.spec.requestBody);

    it('exist in the document', () => {
      expect(withBody().length).toBeGreaterThan(0);
    });

    it('refuse an unknown field with 400 VALIDATION_FAILED naming it', async () => {
      const outcomes = [];
      for (const op of withBody()) {
        const res = await t.http[op.method](fillPath(op.path)).set(callerFor(op)).send({ definitelyNotAField: 1 });
        outcomes.push({ op: op.label, status: res.status, code: res.body.code, names: JSON.stringify(res.body.errors ?? []).includes('definitelyNotAField') });
      }
      expect(outcomes).toEqual(withBody().map((op) => ({ op: op.label, status: 400, code: 'VALIDATION_FAILED', names: true })));
    });

    it.each([
      ['an array', '[1, 2]'],
      ['a string', '"call"'],
      ['a number', '42'],
      ['an object of wrong types', '{"title": 42, "isPublic": "yes", "maxParticipants": "many", "videoQuality": 7}'],
    ])('refuse %s as the body with 400, never 500', async (_what, raw) => {
      const outcomes = [];
      for (const op of withBody()) {
        const res = await t.http[op.method](fillPath(op.path)).set(callerFor(op)).set('Content-Type', 'application/json').send(raw);
        outcomes.push(errorOutcome(op.label, res));
      }
      expect(outcomes).toEqual(withBody().map((op) => expected(op.label, 400)));
    });

    it('take a JSON null body as an empty one (ValidationPipe), never a 500', async () => {
      const failures = [];
      for (const op of withBody()) {
        const res = await t.http[op.method](fillPath(op.path)).set(callerFor(op)).set('Content-Type', 'application/json').send('null');
        if (res.status >= 500 || (res.status >= 400 && !errorOutcome(op.label, res).shape)) failures.push({ op: op.label, status: res.status, body: res.body });
      }
      expect(failures).toEqual([]);
    });
  });

  describe('deeply nested JSON', () => {
    const DEEP = 1500;
    const nestedArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const ROUTES: Array<[string, 'post' | 'put', string]> = [
      ['POST /api/calling/create', 'post', '/api/calling/create'],
      ['PUT /api/calling/preferences', 'put', '/api/calling/preferences'],
      ['POST /api/calling/token', 'post', '/api/calling/token'],
    ];

    it.each(ROUTES)('%s refuses a body 1,500 levels deep (arrays, objects, inside a field) with 400 and a code, never 500', async (label, method, url) => {
      const bodies = [nestedArray(DEEP), `{"title": ${nestedArray(DEEP)}}`, `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`];
      const outcomes = [];
      for (const raw of bodies) {
        const res = await t.http[method](url).set(as.member((userId += 1))).set('Content-Type', 'application/json').send(raw);
        outcomes.push({ ...errorOutcome(label, res), code: res.body.code, message: res.body.message });
      }
      expect(outcomes).toEqual(
        bodies.map(() => ({ ...expected(label, 400), code: 'VALIDATION_FAILED', message: `JSON body is nested deeper than ${MAX_JSON_DEPTH} levels` })),
      );
    });

    it('is refused on every operation with a JSON body', async () => {
      const outcomes = [];
      for (const op of guarded.filter((o) => o.spec.requestBody)) {
        const res = await t.http[op.method](fillPath(op.path)).set(callerFor(op)).set('Content-Type', 'application/json').send(nestedArray(DEEP));
        outcomes.push({ op: op.label, status: res.status, code: res.body.code });
      }
      expect(outcomes.length).toBeGreaterThan(0);
      expect(outcomes).toEqual(outcomes.map(({ op }) => ({ op, status: 400, code: 'VALIDATION_FAILED' })));
    });

    it(`lets a body exactly ${MAX_JSON_DEPTH} levels deep through to validation, and one level more is refused before it`, async () => {
      const atLimit = `{"title": ${nestedArray(MAX_JSON_DEPTH - 1)}}`;
      const res = await t.http.post('/api/calling/create').set(as.member((userId += 1))).set('Content-Type', 'application/json').send(atLimit);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.message).toMatch(/title must be a string/);
      const over = await t.http
        .post('/api/calling/create')
        .set(as.member((userId += 1)))
        .set('Content-Type', 'application/json')
        .send(`{"title": ${nestedArray(MAX_JSON_DEPTH)}}`);
      expect(over.status).toBe(400);
      expect(over.body.message).toBe(`JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    });

    it('still serves bodies at a normal depth on the same routes', async () => {
      const host = (userId += 1);
      const created = await t.http.post('/api/calling/create').set(as.member(host)).send({ title: 'Not deep', description: '[{"x": [1, 2]}]' }).expect(201);
      expect(created.body.description).toBe('[{"x": [1, 2]}]');
      const prefs = await t.http.put('/api/calling/preferences').set(as.member(host)).send({ video_quality: 'sd' }).expect(200);
      expect(prefs.body.preferences.video_quality).toBe('sd');
      await t.http.post(`/api/calling/${created.body.callId}/join`).set(as.member(host)).set('Content-Type', 'application/json').send('').expect(200);
      const token = await t.http.post('/api/calling/token').set(as.member(host)).send({ channelName: created.body.channelName, uid: 4242 });
      expect(token.status).toBe(200);
    });
  });

  describe('bad path ids', () => {
    const BAD_IDS = ['abc', '0', '-1', '1.5', '99999999999', '2147483648', 'null'];

    /** Every (operation, path parameter, value) to try, other parameters left at 1. */
    function badIdCases(values: string[]): Array<{ op: Operation; param: string; value: string }> {
      const cases: Array<{ op: Operation; param: string; value: string }> = [];
      for (const op of guarded) {
        for (const [, param] of op.path.matchAll(/\{([^}]+)\}/g)) {
          for (const value of values) cases.push({ op, param, value });
        }
      }
      return cases;
    }

    async function tryBadIds(values: string[]): Promise<{ outcomes: ErrorOutcome[]; expectations: ErrorOutcome[] }> {
      const cases = badIdCases(values);
      expect(cases.length).toBeGreaterThan(0);
      const outcomes = [];
      for (const { op, param, value } of cases) {
        const res = await callOperation(t.http, op, callerFor(op), { [param]: encodeURIComponent(value) });
        outcomes.push(errorOutcome(`${op.label} ${param}=${JSON.stringify(value)}`, res));
      }
      return { outcomes, expectations: cases.map(({ op, param, value }) => expected(`${op.label} ${param}=${JSON.stringify(value)}`, 400)) };
    }

    it('POST /api/calling/abc/join and GET /api/calling/abc are 400 naming callId', async () => {
      const labels = listOperations(doc).map((op) => op.label);
      expect(labels).toEqual(expect.arrayContaining(['POST /api/calling/{callId}/join', 'GET /api/calling/{callId}']));
      const join = await t.http.post('/api/calling/abc/join').set(as.member((userId += 1))).send({});
      expect(errorOutcome('join', join)).toEqual(expected('join', 400));
      expect(join.body.message).toMatch(/callId/);
      const details = await t.http.get('/api/calling/abc').set(as.member((userId += 1)));
      expect(errorOutcome('details', details)).toEqual(expected('details', 400));
      expect(details.body.message).toMatch(/callId/);
    });

    it('are 400 on every operation with a path parameter, one parameter at a time', async () => {
      const { outcomes, expectations } = await tryBadIds(BAD_IDS);
      expect(outcomes).toEqual(expectations);
    });

    it('are 400 when spelled like a number but not as digits (1e3, 0x10, +5, " 42"): one call, one URL', async () => {
      // Regression guard: the global ValidationPipe (transform: true) once turned a `callId: number`
      // parameter into a Number before PositiveIntPipe saw the string, so /api/calling/1e3 was call 1000.
      const { outcomes, expectations } = await tryBadIds(['1e3', '0x10', '+5', ' 42']);
      expect(outcomes).toEqual(expectations);
    });
  });

  describe('API docs', () => {
    it('serves Swagger UI at /api/docs', async () => {
      const res = await t.http.get('/api/docs').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toMatch(/swagger/i);
    });

    it('serves an OpenAPI 3 document at /api/docs-json declaring bearer auth', () => {
      expect(doc.openapi).toMatch(/^3\./);
      const schemes = Object.values(doc.components?.securitySchemes ?? {});
      expect(schemes).toContainEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
      expect(Object.keys(doc.paths)).toContain('/api/health');
    });
  });
});
