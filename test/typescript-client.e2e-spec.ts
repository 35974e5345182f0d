import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import * as calling from '../clients/typescript/src';
import { Client, createClient } from '../clients/typescript/src/client';
import { PROJECT_ROOT } from './support/child-process';
import { ikootaClaims, signToken } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const run = promisify(execFile);
const CLIENT_SOURCES = join(PROJECT_ROOT, 'clients', 'typescript', 'src');

/** Every file under `dir`, by its path relative to it. */
function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

// Compile-time checks (this file is type-checked by `npm run typecheck` and ts-jest): the issue's
// crash was a nullable enum typed never-null, so `row.role.toUpperCase()` compiled and threw.
type Is<T extends true> = T;
export type RoleAdmitsNull = Is<null extends calling.CallRowDto['role'] ? true : false>;
export type EndedByAdmitsNull = Is<null extends calling.AdminCallRowDto['ended_by'] ? true : false>;

describe('The TypeScript client (clients/typescript)', () => {
  it('is exactly what `npm run client:generate` makes of docs/openapi.json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'calling-client-'));
    try {
      const cli = join(PROJECT_ROOT, 'node_modules', '@hey-api', 'openapi-ts', 'bin', 'run.js');
      await run(process.execPath, [cli, '--file', './clients/typescript/openapi-ts.config.mjs', '--no-log-file', '--silent'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CLIENT_OUTPUT: out },
      });
      const generated = filesOf(out);
      const committed = filesOf(CLIENT_SOURCES);
      expect(generated.size).toBeGreaterThan(5);
      // On a difference: `npm run client:generate`, review and commit clients/typescript/src (and
      // bump clients/typescript/package.json's version when the contract changed).
      expect([...committed.keys()].sort()).toEqual([...generated.keys()].sort());
      for (const [file, text] of generated) expect(`${file}\n${committed.get(file)}`).toBe(`${file}\n${text}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  describe('against a running service', () => {
    let t: TestApp;
    let baseUrl: string;
    const as = (id: number, stage: string, role = 'user'): Client => createClient({ baseUrl, auth: () => signToken(ikootaClaims(id, stage, role)) });
    let host: Client;
    let member: Client;
    let admin: Client;

    beforeAll(async () => {
      t = await startApp();
      await t.app.listen(0, '127.0.0.1');
      baseUrl = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
      host = as(52_001, 'member');
      member = as(52_002, 'pre_member');
      admin = as(59_001, 'none', 'admin');
    });

    afterAll(async () => {
      await t?.close();
    });

    it("runs the spec's member flow: create, join, token, my-calls, the call, leave, end; preferences", async () => {
      const created = await calling.createCall({ client: host, body: { title: 'Client call', description: 'Through the generated client', isPublic: true, maxParticipants: 10 }, throwOnError: true });
      const { callId, channelName } = created.data;
      expect(created.response.status).toBe(201);

      const hostJoin = await calling.joinCall({ client: host, path: { callId }, throwOnError: true });
      expect(hostJoin.data).toMatchObject({ success: true, channelName, role: 'host' });
      const joined = await calling.joinCall({ client: member, path: { callId }, body: { media: 'audio' }, throwOnError: true });
      expect(joined.data).toMatchObject({ success: true, channelName, callTitle: 'Client call', role: 'participant', media: 'audio' });
      // A join may also answer 202 `waiting` (the lobby): the client's type says so, and the caller narrows.
      if (!('uid' in joined.data)) throw new Error(`waiting in the lobby: ${JSON.stringify(joined.data)}`);

      const token = await calling.issueToken({ client: member, body: { channelName }, throwOnError: true });
      expect(token.data).toMatchObject({ channelName, uid: joined.data.uid });
      expect(token.data.token.length).toBeGreaterThan(20);

      const mine = await calling.listMyCalls({ client: member, query: { limit: 10 }, throwOnError: true });
      const row = mine.data.find((call) => call.id === callId);
      expect(row).toMatchObject({ role: 'participant', participant_count: 2, status: 'active' });
      // A public call of someone else: listed with role null, which the client's types admit.
      const other = await calling.createCall({ client: as(52_003, 'member'), body: { title: 'Open to all', isPublic: true }, throwOnError: true });
      const listed = (await calling.listMyCalls({ client: member, throwOnError: true })).data.find((call) => call.id === other.data.callId);
      expect(listed?.role).toBeNull();
      expect(listed?.role?.toUpperCase() ?? 'NO ROLE').toBe('NO ROLE');

      const call = await calling.getCall({ client: member, path: { callId }, throwOnError: true });
      expect(call.data.participants.map((p) => p.role).sort()).toEqual(['host', 'participant']);

      const left = await calling.leaveCall({ client: member, path: { callId }, throwOnError: true });
      expect(left.data).toEqual({ success: true });
      const ended = await calling.endCall({ client: host, path: { callId }, throwOnError: true });
      expect(ended.data.success).toBe(true);

      // A refusal comes back as the typed error body, with its code.
      const refused = await calling.joinCall({ client: member, path: { callId } });
      expect(refused.response.status).toBe(404);
      expect(refused.error).toMatchObject({ statusCode: 404, code: 'CALL_ENDED' });

      const before = await calling.getPreferences({ client: member, throwOnError: true });
      expect(before.data).toMatchObject({ video_quality: 'hd', preferred_avatar: null, created_at: null });
      const saved = await calling.updatePreferences({ client: member, body: { video_quality: 'sd', preferred_avatar: 'avatar_002.png' }, throwOnError: true });
      expect(saved.data).toMatchObject({ success: true, preferences: { video_quality: 'sd', preferred_avatar: 'avatar_002.png' } });
      expect((await calling.getPreferences({ client: member, throwOnError: true })).data.preferred_avatar).toBe('avatar_002.png');
    });

    it("runs an admin's reads: analytics, calls, overview, call details", async () => {
      const analytics = await calling.getAnalytics({ client: admin, query: { days: 7, groupBy: 'day' }, throwOnError: true });
      expect(analytics.data.dailyStats).toHaveLength(7);
      expect(analytics.data.summary.totalCalls).toBeGreaterThanOrEqual(2);

      const page = await calling.listCalls({ client: admin, query: { limit: 1 }, throwOnError: true });
      expect(page.data.calls).toHaveLength(1);
      expect(page.data.nextCursor).toEqual(expect.any(String));
      const next = await calling.listCalls({ client: admin, query: { limit: 1, cursor: page.data.nextCursor! }, throwOnError: true });
      expect(next.data.calls[0].id).not.toBe(page.data.calls[0].id);
      const ended = (await calling.listCalls({ client: admin, query: { status: 'ended' }, throwOnError: true })).data.calls;
      expect(ended.map((call) => call.ended_by)).toEqual(['host']);
      const live = (await calling.listCalls({ client: admin, query: { status: 'active' }, throwOnError: true })).data.calls;
      expect(live.map((call) => call.ended_by)).toEqual([null]);

      const overview = await calling.getOverview({ client: admin, throwOnError: true });
      expect(overview.data).toMatchObject({ active_calls: 1, paused_calls: 0 });

      const details = await calling.getCallDetails({ client: admin, path: { callId: ended[0].id }, throwOnError: true });
      expect(details.data.call).toMatchObject({ status: 'ended', ended_by: 'host' });
      expect(details.data.participants).toHaveLength(2);
      expect(details.data.stats.total_participants).toBe(2);

      // A member is refused the admin reads with the API's 403.
      const refused = await calling.getOverview({ client: member });
      expect(refused.error).toMatchObject({ statusCode: 403, code: 'ADMIN_REQUIRED' });
    });

    it('waits in the lobby (202) and is admitted by OTO# number, with typed answers', async () => {
      const created = await calling.createCall({ client: host, body: { title: 'Client lobby', isPublic: true, lobby: true }, throwOnError: true });
      const { callId } = created.data;
      const waiting = await calling.joinCall({ client: member, path: { callId }, throwOnError: true });
      expect(waiting.response.status).toBe(202);
      if (!('status' in waiting.data)) throw new Error('expected to wait in the lobby');
      expect(waiting.data).toMatchObject({ success: true, status: 'waiting', callTitle: 'Client lobby', lobby: { position: 1 } });
      const lobby = await calling.listLobby({ client: host, path: { callId }, throwOnError: true });
      expect(lobby.data.waiting).toHaveLength(1);
      const oto = lobby.data.waiting[0].oto_number;
      const admitted = await calling.admitFromLobby({ client: host, path: { callId, member: oto }, throwOnError: true });
      expect(admitted.data).toEqual({ success: true, oto_number: oto, state: 'admitted' });
      const joined = await calling.joinCall({ client: member, path: { callId }, throwOnError: true });
      expect(joined.response.status).toBe(200);
      expect(joined.data).toMatchObject({ role: 'participant', channelName: created.data.channelName });
      const row = (await calling.getCall({ client: host, path: { callId }, throwOnError: true })).data;
      expect(row).toMatchObject({ lobby: true, wait_for_host: false });
    });
  });
});
