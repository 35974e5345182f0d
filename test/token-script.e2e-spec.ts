import { decode, verify, JwtPayload } from 'jsonwebtoken';
import { DEV_JWT_SECRET } from '../src/config/auth.config';
import { baseChildEnv, runTsNode } from './support/child-process';
import { startApp, TestApp } from './support/test-app';

/** `npm run token` (scripts/token.ts), run the way npm runs it. */

const SCRIPT = 'scripts/token.ts';
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * An empty JWT_SECRET counts as unset for the service's config, and stops a developer's .env
 * (read by the script through dotenv) from filling it in.
 */
const devEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => baseChildEnv({ JWT_SECRET: '', ...env });

async function token(args: string[], env = devEnv()): Promise<string> {
  const result = await runTsNode(SCRIPT, args, env);
  // toMatchObject shows stderr in the diff when the script fails.
  expect(result).toMatchObject({ code: 0, signal: null });
  const printed = result.stdout.trim();
  expect(printed).toMatch(JWT);
  // Only the token on stdout, so $(npm run --silent token ...) works.
  expect(result.stdout).toBe(`${printed}\n`);
  return printed;
}

describe('npm run token (scripts/token.ts)', () => {
  it('prints an HS256 token for --user 42 --stage member, signed with the dev secret', async () => {
    const printed = await token(['--user', '42', '--stage', 'member']);
    const payload = verify(printed, DEV_JWT_SECRET, { algorithms: ['HS256'] }) as JwtPayload;
    expect(payload).toEqual({ user_id: 42, membership_stage: 'member', role: 'user', iat: expect.any(Number), exp: expect.any(Number) });
    // Ikoota's default lifetime: 7 days.
    expect(payload.exp! - payload.iat!).toBe(7 * 24 * 3600);
    expect(decode(printed, { complete: true })?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
  }, 30_000);

  it('carries role, converse_id and lifetime when given, and never username or email', async () => {
    const printed = await token(['--user', '7', '--stage', 'none', '--role', 'super_admin', '--converse-id', 'OTO#K7Q2ZD', '--expires', '30m']);
    const payload = verify(printed, DEV_JWT_SECRET, { algorithms: ['HS256'] }) as JwtPayload;
    expect(payload).toMatchObject({ user_id: 7, membership_stage: 'none', role: 'super_admin', converse_id: 'OTO#K7Q2ZD' });
    expect(payload.exp! - payload.iat!).toBe(1800);
    expect(payload).not.toHaveProperty('username');
    expect(payload).not.toHaveProperty('email');
  }, 30_000);

  it('signs with JWT_SECRET, and adds JWT_ISSUER and JWT_AUDIENCE when configured', async () => {
    const secret = 'a-secret-shared-with-ikoota-login';
    const printed = await token(['--user', '5'], devEnv({ JWT_SECRET: secret, JWT_ISSUER: 'ikoota', JWT_AUDIENCE: 'calling' }));
    expect(() => verify(printed, DEV_JWT_SECRET)).toThrow();
    expect(verify(printed, secret, { algorithms: ['HS256'], issuer: 'ikoota', audience: 'calling' })).toMatchObject({ user_id: 5 });
  }, 30_000);

  it('prints usage for --help', async () => {
    const result = await runTsNode(SCRIPT, ['--help'], devEnv());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run token -- --user <id>/);
    for (const option of ['--user', '--stage', '--role', '--converse-id', '--expires']) expect(result.stdout).toContain(option);
  }, 30_000);

  it.each([
    ['no --user', [], /--user/],
    ['a non-numeric user', ['--user', 'abc'], /--user/],
    ['user 0', ['--user', '0'], /--user/],
    ['an unknown stage', ['--user', '1', '--stage', 'vip'], /--stage/],
    ['an unknown role', ['--user', '1', '--role', 'root'], /--role/],
    ['a malformed converse id', ['--user', '1', '--converse-id', 'OTO#78901'], /--converse-id/],
    ['a malformed lifetime', ['--user', '1', '--expires', 'soon'], /--expires/],
    ['an unknown option', ['--user', '1', '--email', 'a@example.org'], /--email/],
  ])('exits 1 with a message for %s', async (_what, args, mentions) => {
    const result = await runTsNode(SCRIPT, args as string[], devEnv());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(mentions);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);

  it('refuses to sign in production without JWT_SECRET, naming it', async () => {
    const result = await runTsNode(SCRIPT, ['--user', '1'], devEnv({ NODE_ENV: 'production' }));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('JWT_SECRET');
  }, 30_000);

  describe('against the running service', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startApp();
    });

    afterAll(async () => {
      await t?.close();
    });

    it('is accepted as a member, and refused as a non-member', async () => {
      const member = await token(['--user', '42', '--stage', 'member']);
      const documented = Object.keys((await t.http.get('/api/docs-json').expect(200)).body.paths as object);
      const memberRoute = ['/api/calling/my-calls', '/api/calling/preferences'].find((path) => documented.includes(path));
      if (!memberRoute) throw new Error('Neither GET /api/calling/my-calls nor GET /api/calling/preferences is documented');
      const accepted = await t.http.get(memberRoute).set('Authorization', `Bearer ${member}`);
      expect(accepted.status).not.toBe(401);
      expect(accepted.status).not.toBe(403);

      const applicant = await token(['--user', '43', '--stage', 'applicant']);
      const refused = await t.http.get(memberRoute).set('Authorization', `Bearer ${applicant}`);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('MEMBERSHIP_REQUIRED');
    }, 30_000);
  });
});
