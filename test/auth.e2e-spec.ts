import type { Response } from 'supertest';
import { as, bearer, ikootaClaims, signRawPayload, signToken, TokenClaims } from './support/jwt';
import { callOperation, fetchOpenApi, isPublic, listOperations, Operation } from './support/openapi';
import { startApp, TestApp } from './support/test-app';

/**
 * The auth matrix, driven by the OpenAPI document the app serves: every documented operation
 * that needs a token is tried with every kind of bad credential and with every tier and role,
 * so a route added later is covered without touching this file.
 */

const UNAUTHORIZED = (code: string) => ({ statusCode: 401, error: 'Unauthorized', message: expect.any(String), code });
const OTHER_SECRET = 'not-the-secret-ikoota-signs-with';

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** An unsigned token, as an attacker would hand-craft it. */
function algNoneToken(claims: TokenClaims): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, iat: nowSeconds(), exp: nowSeconds() + 3600 })}.`;
}

/** Claims carrying the user id under `key` only (Ikoota's older issuers). */
function claimsWithIdIn(key: 'user_id' | 'id' | 'sub', id: number | string, stage = 'member'): TokenClaims {
  const { user_id: _userId, ...rest } = ikootaClaims(Number(id), stage);
  return { ...rest, [key]: id };
}

interface Outcome {
  op: string;
  status: number;
  body: Record<string, unknown>;
}

const outcome = (operation: Operation, res: Response): Outcome => ({ op: operation.label, status: res.status, body: res.body });

describe('auth matrix (routes from /api/docs-json)', () => {
  let t: TestApp;
  let operations: Operation[];
  let guarded: Operation[];
  let adminOps: Operation[];
  let memberOps: Operation[];
  // Each passing request gets its own user, so per-user rate limits never interfere.
  let nextUserId = 10_000;
  const freshUser = (): number => (nextUserId += 1);

  beforeAll(async () => {
    t = await startApp();
    operations = listOperations(await fetchOpenApi(t.http));
    guarded = operations.filter((op) => !isPublic(op));
    adminOps = guarded.filter((op) => op.admin);
    memberOps = guarded.filter((op) => !op.admin);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Sends the same credentials to every guarded operation. */
  async function tryAll(ops: Operation[], headers: () => Record<string, string>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const op of ops) outcomes.push(outcome(op, await callOperation(t.http, op, headers())));
    return outcomes;
  }

  async function expectAll401(headers: () => Record<string, string>, code: string): Promise<void> {
    const outcomes = await tryAll(guarded, headers);
    expect(outcomes).toEqual(guarded.map((op) => ({ op: op.label, status: 401, body: UNAUTHORIZED(code) })));
  }

  it('finds the guarded operations to test in the OpenAPI document', () => {
    expect(guarded.length).toBeGreaterThan(0);
    expect(memberOps.length).toBeGreaterThan(0);
  });

  it('documents 401 and 403 answers on every guarded operation', () => {
    const missing = guarded.filter((op) => !op.spec.responses?.['401'] || !op.spec.responses?.['403']).map((op) => op.label);
    expect(missing).toEqual([]);
  });

  it('really lets anonymous callers through on operations documented without security', async () => {
    const open = operations.filter(isPublic);
    expect(open.map((op) => op.label)).toContain('GET /api/health');
    const refused = (await tryAll(open, () => ({}))).filter((o) => o.status === 401 || o.status === 403);
    expect(refused).toEqual([]);
  });

  describe('401 for every guarded operation', () => {
    it('without an Authorization header', async () => {
      await expectAll401(() => ({}), 'AUTH_MISSING_TOKEN');
    });

    it('with Bearer garbage', async () => {
      await expectAll401(() => ({ Authorization: 'Bearer garbage' }), 'AUTH_INVALID_TOKEN');
    });

    it('with a token signed with another secret', async () => {
      await expectAll401(() => bearer(signToken(ikootaClaims(freshUser(), 'member'), {}, OTHER_SECRET)), 'AUTH_INVALID_TOKEN');
    });

    it('with an expired token', async () => {
      await expectAll401(
        () => bearer(signToken({ ...ikootaClaims(freshUser(), 'member'), iat: nowSeconds() - 7200 }, { expiresIn: '1h' })),
        'AUTH_TOKEN_EXPIRED',
      );
    });

    it('with an unsigned alg:none token', async () => {
      await expectAll401(() => bearer(algNoneToken(ikootaClaims(freshUser(), 'member', 'super_admin'))), 'AUTH_INVALID_TOKEN');
    });

    it('with an HS512 token signed with the right secret', async () => {
      await expectAll401(() => bearer(signToken(ikootaClaims(freshUser(), 'member'), { algorithm: 'HS512' })), 'AUTH_INVALID_TOKEN');
    });

    it('with the Basic scheme', async () => {
      await expectAll401(() => ({ Authorization: 'Basic xyz' }), 'AUTH_INVALID_TOKEN');
    });

    it.each([
      ['JSON null', 'null'],
      ['not JSON', 'not json'],
      ['a JSON array', '[1, 2]'],
      ['a JSON string', '"member"'],
      ['a JSON number', '42'],
    ])('with a token signed with the right secret whose payload is %s', async (_what, payload) => {
      await expectAll401(() => bearer(signRawPayload(payload)), 'AUTH_INVALID_TOKEN');
    });

    it('with a token signed with the right secret that has no exp', async () => {
      await expectAll401(() => bearer(signRawPayload(JSON.stringify({ ...ikootaClaims(freshUser(), 'member'), iat: nowSeconds() }))), 'AUTH_INVALID_TOKEN');
      const res = await callOperation(t.http, memberOps[0], bearer(signRawPayload(JSON.stringify(ikootaClaims(freshUser(), 'member')))));
      expect(res.body.message).toBe('Bearer token has no expiry');
    });

    it('with a valid token that has no usable user id', async () => {
      await expectAll401(() => bearer(signToken(claimsWithIdIn('user_id', 'abc'))), 'AUTH_INVALID_TOKEN');
      await expectAll401(() => bearer(signToken({ membership_stage: 'member', role: 'user' })), 'AUTH_INVALID_TOKEN');
    });
  });

  it('lets a hand-signed token with exp through, so the refusals above are about the payload alone', async () => {
    const claims = { ...ikootaClaims(freshUser(), 'member'), iat: nowSeconds(), exp: nowSeconds() + 600 };
    const outcomes = await tryAll(memberOps, () => bearer(signRawPayload(JSON.stringify(claims))));
    expect(outcomes.filter((o) => o.status === 401 || o.status === 403 || o.status >= 500)).toEqual([]);
  });

  describe('membership tier', () => {
    it.each([
      ['none', as.nonMember],
      ['applicant', as.applicant],
    ])('stage %s (role user) gets 403 MEMBERSHIP_REQUIRED on every member operation', async (_stage, headers) => {
      const outcomes = await tryAll(memberOps, () => headers(freshUser()));
      expect(outcomes).toEqual(
        memberOps.map((op) => ({
          op: op.label,
          status: 403,
          body: { statusCode: 403, error: 'Forbidden', message: expect.stringMatching(/membership tier/i), code: 'MEMBERSHIP_REQUIRED' },
        })),
      );
    });

    it.each([
      ['pre_member', as.preMember],
      ['member', as.member],
      ['full_member', as.fullMember],
      ['admin (stage none)', as.admin],
      ['super_admin', as.superAdmin],
    ])('%s passes the guard on every member operation, and nothing answers 500', async (_who, headers) => {
      const outcomes = await tryAll(memberOps, () => headers(freshUser()));
      const refused = outcomes.filter(
        (o) => o.status === 401 || (o.status === 403 && o.body.code === 'MEMBERSHIP_REQUIRED') || o.status >= 500,
      );
      expect(refused).toEqual([]);
      // Ikoota's tokens carry username and email; no answer may echo them.
      const leaks = outcomes.filter((o) => /real-name-|@example\.org/.test(JSON.stringify(o.body)));
      expect(leaks).toEqual([]);
    });
  });

  describe('admin role on /admin/ operations', () => {
    it.each([
      ['member', as.member],
      ['pre_member', as.preMember],
      ['applicant', as.applicant],
    ])('%s (role user) gets 403 ADMIN_REQUIRED', async (_who, headers) => {
      const outcomes = await tryAll(adminOps, () => headers(freshUser()));
      expect(outcomes).toEqual(
        adminOps.map((op) => ({
          op: op.label,
          status: 403,
          body: { statusCode: 403, error: 'Forbidden', message: expect.any(String), code: 'ADMIN_REQUIRED' },
        })),
      );
    });

    it.each([
      ['admin', as.admin],
      ['super_admin', as.superAdmin],
    ])('%s is neither 401 nor 403, and nothing answers 500', async (_who, headers) => {
      const outcomes = await tryAll(adminOps, () => headers(freshUser()));
      expect(outcomes.filter((o) => o.status === 401 || o.status === 403 || o.status >= 500)).toEqual([]);
    });
  });

  describe('identity and the users table', () => {
    let route: Operation;

    beforeAll(() => {
      const preferred = ['GET /api/calling/preferences', 'GET /api/calling/my-calls'];
      const candidates = [
        ...preferred.flatMap((label) => memberOps.filter((op) => op.label === label)),
        ...memberOps.filter((op) => op.method === 'get'),
        ...memberOps,
      ];
      if (candidates.length === 0) {
        throw new Error(
          'No member operation in /api/docs-json to authenticate against (expected GET /api/calling/preferences or GET /api/calling/my-calls)',
        );
      }
      route = candidates[0];
    });

    /** Sends one request to the chosen member route and says whether the guard let it through. */
    async function visit(headers: Record<string, string>): Promise<Response> {
      const res = await callOperation(t.http, route, headers);
      expect(res.status).not.toBe(401);
      expect(res.status).toBeLessThan(500);
      return res;
    }

    async function userRow(id: number): Promise<Record<string, unknown> | undefined> {
      const rows: Record<string, unknown>[] = await t.dataSource.query('SELECT * FROM users WHERE id = ?', [id]);
      return rows[0];
    }

    it.each([
      ['user_id', (id: number) => claimsWithIdIn('user_id', id)],
      ['id', (id: number) => claimsWithIdIn('id', id)],
      ['a numeric-string sub', (id: number) => claimsWithIdIn('sub', String(id))],
      ['a numeric-string user_id', (id: number) => claimsWithIdIn('user_id', String(id))],
    ])('takes the user id from %s', async (_source, claims) => {
      const id = freshUser();
      const res = await visit(bearer(signToken(claims(id))));
      expect(res.body?.code).not.toBe('MEMBERSHIP_REQUIRED');
      expect(await userRow(id)).toMatchObject({ id, membership_stage: 'member', role: 'user' });
    });

    it('stores only id, OTO#, stage, role and first/last seen: never username or email', async () => {
      const id = freshUser();
      await visit(as.member(id));
      const row = await userRow(id);
      expect(Object.keys(row ?? {}).sort()).toEqual(['first_seen_at', 'id', 'last_seen_at', 'membership_stage', 'oto_number', 'role']);
      expect(JSON.stringify(row)).not.toMatch(/real-name-|@example\.org/);
      const table = await t.dataSource.createQueryRunner().getTable('users');
      expect(table?.columns.map((c) => c.name).sort()).toEqual([
        'first_seen_at',
        'id',
        'last_seen_at',
        'membership_stage',
        'oto_number',
        'role',
      ]);
    });

    it('gives a token without converse_id a generated OTO# that stays the same', async () => {
      const id = freshUser();
      await visit(as.member(id));
      const first = (await userRow(id))?.oto_number;
      expect(first).toMatch(/^OTO#[A-Z0-9]{6}$/);
      await visit(as.member(id));
      expect((await userRow(id))?.oto_number).toBe(first);
      // A new write (the stage changed) keeps it too.
      await visit(as.preMember(id));
      expect(await userRow(id)).toMatchObject({ oto_number: first, membership_stage: 'pre_member' });
    });

    it('gives different members different generated OTO# numbers', async () => {
      const numbers = new Set<unknown>();
      for (let i = 0; i < 5; i += 1) {
        const id = freshUser();
        await visit(as.member(id));
        numbers.add((await userRow(id))?.oto_number);
      }
      expect(numbers.size).toBe(5);
    });

    it("stores the token's converse_id as the OTO# number", async () => {
      const id = freshUser();
      await visit(as.member(id, { converse_id: 'OTO#K7Q2ZD' }));
      expect((await userRow(id))?.oto_number).toBe('OTO#K7Q2ZD');
    });

    it('reflects a demotion on the very next request, although users are cached', async () => {
      const id = freshUser();
      const first = await visit(as.member(id));
      expect(first.body?.code).not.toBe('MEMBERSHIP_REQUIRED');
      const demoted = await callOperation(t.http, route, as.applicant(id));
      expect(demoted.status).toBe(403);
      expect(demoted.body.code).toBe('MEMBERSHIP_REQUIRED');
      expect(await userRow(id)).toMatchObject({ membership_stage: 'applicant', role: 'user' });
      // And back: a promotion is honoured at once as well.
      const promoted = await visit(as.preMember(id));
      expect(promoted.body?.code).not.toBe('MEMBERSHIP_REQUIRED');
      expect(await userRow(id)).toMatchObject({ membership_stage: 'pre_member' });
    });

    it('reflects a role change on the next request', async () => {
      const id = freshUser();
      await visit(as.member(id));
      await visit(bearer(signToken(ikootaClaims(id, 'none', 'admin'))));
      expect(await userRow(id)).toMatchObject({ membership_stage: 'none', role: 'admin' });
      const demoted = await callOperation(t.http, route, bearer(signToken(ikootaClaims(id, 'none', 'user'))));
      expect(demoted.status).toBe(403);
      expect(demoted.body.code).toBe('MEMBERSHIP_REQUIRED');
      expect(await userRow(id)).toMatchObject({ role: 'user' });
    });

    it('updates last_seen_at but keeps first_seen_at', async () => {
      const id = freshUser();
      await visit(as.member(id));
      const before = await userRow(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // A changed claim forces a write past the one-minute cache.
      await visit(as.preMember(id));
      const after = await userRow(id);
      expect(new Date(after?.first_seen_at as string).getTime()).toBe(new Date(before?.first_seen_at as string).getTime());
      expect(new Date(after?.last_seen_at as string).getTime()).toBeGreaterThan(new Date(before?.last_seen_at as string).getTime());
    });
  });
});

describe('JWT_REQUIRE_EXP=false', () => {
  let t: TestApp;
  let route: Operation;

  beforeAll(async () => {
    t = await startApp({ JWT_REQUIRE_EXP: 'false' });
    const ops = listOperations(await fetchOpenApi(t.http));
    route = ops.find((op) => op.label === 'GET /api/calling/my-calls') as Operation;
    expect(route).toBeDefined();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('accepts a token without exp', async () => {
    const res = await callOperation(t.http, route, bearer(signRawPayload(JSON.stringify(ikootaClaims(20_001, 'member')))));
    expect(res.status).toBe(200);
  });

  it('still refuses expired tokens and payloads that are not JSON objects', async () => {
    const expired = await callOperation(t.http, route, bearer(signRawPayload(JSON.stringify({ ...ikootaClaims(20_002, 'member'), exp: nowSeconds() - 60 }))));
    expect({ status: expired.status, code: expired.body.code }).toEqual({ status: 401, code: 'AUTH_TOKEN_EXPIRED' });
    for (const payload of ['null', 'not json']) {
      const res = await callOperation(t.http, route, bearer(signRawPayload(payload)));
      expect({ payload, status: res.status, code: res.body.code }).toEqual({ payload, status: 401, code: 'AUTH_INVALID_TOKEN' });
    }
  });
});
