import { get, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AnalyticsReportDto } from '../src/analytics/dto/analytics-report.dto';
import { AdminCallsPageDto } from '../src/admin/dto/admin-calls.dto';
import { AdminOverviewDto } from '../src/admin/dto/admin-overview.dto';
import { AdminCallsFilter, AdminConsoleRepository } from '../src/admin/admin-console.repository';
import { createCall, CreatedCall, join, leave, token } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { startApp, TestApp, usingMysql } from './support/test-app';

interface ExplainRow {
  id: number;
  table: string;
  type: string;
  key: string | null;
  Extra: string | null;
}

// The admin routes share the analytics limit (20 a minute per admin); these tests ask more often.
const ENV = { RATE_LIMIT_SCALE: '100' };
const ADMIN = as.admin(9000);

describe('Admin console: the call list', () => {
  const clock = new FakeClock('2026-02-02T10:00:00.000Z');
  let t: TestApp;
  const list = (query: string) => t.http.get(`/api/calling/admin/calls${query}`).set(ADMIN);
  const page = async (query: string): Promise<AdminCallsPageDto> => (await list(query).expect(200)).body as AdminCallsPageDto;

  beforeAll(async () => {
    t = await startApp(ENV, undefined, clock);
  }, 60_000);
  afterAll(async () => t?.close());

  it('pages newest first with no duplicate and no gap while calls are created between pages', async () => {
    // Nine calls, three of them at the same instant (the id breaks the tie).
    const existing: number[] = [];
    for (const at of ['09:00', '09:10', '09:10', '09:10', '09:20', '09:30', '09:40', '09:50', '09:55']) {
      clock.set(`2026-02-01T${at}:00.000Z`);
      existing.push((await createCall(t.http, 100, { title: `Paging ${at}` })).callId);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: AdminCallsPageDto = await page(`?from=2026-02-01T00:00:00.000Z&to=2026-02-02T00:00:00.000Z&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.calls.map((call) => call.id));
      cursor = body.nextCursor;
      pages += 1;
      // Between pages: a call newer than all, and one at the very instant of the page's last call
      // (a higher id: it sorts before the cursor, so it belongs to pages already read).
      clock.set('2026-02-01T23:00:00.000Z');
      await createCall(t.http, 101, { title: 'Created while paging' });
      if (body.calls.length > 0) {
        clock.set(body.calls[body.calls.length - 1].created_at);
        await createCall(t.http, 101, { title: 'Created while paging, same instant' });
      }
    } while (cursor && pages < 20);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(seen.length);
    // Newest first: created_at, then id, descending; exactly the calls there were at the first page.
    expect(seen).toEqual([existing[8], existing[7], existing[6], existing[5], existing[4], existing[3], existing[2], existing[1], existing[0]]);
  });

  it('pages to the end: the last page has nextCursor null, and limit defaults to 50 (max 200)', async () => {
    clock.set('2026-01-10T10:00:00.000Z');
    for (let i = 0; i < 52; i += 1) await createCall(t.http, 102 + (i % 5), { title: `Bulk ${i}` });
    const window = '?from=2026-01-10T00:00:00.000Z&to=2026-01-11T00:00:00.000Z';
    const first = await page(window);
    expect(first.calls).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    const second = await page(`${window}&cursor=${first.nextCursor}`);
    expect(second.calls).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const all = await page(`${window}&limit=200`);
    expect(all.calls.map((c) => c.id)).toEqual([...first.calls, ...second.calls].map((c) => c.id));
  });

  it('filters by status and by creation range (from inclusive, to exclusive)', async () => {
    clock.set('2026-03-05T08:00:00.000Z');
    const a = await createCall(t.http, 200, { title: 'Range A' });
    clock.set('2026-03-05T09:00:00.000Z');
    const b = await createCall(t.http, 200, { title: 'Range B' });
    clock.set('2026-03-05T10:00:00.000Z');
    const c = await createCall(t.http, 200, { title: 'Range C' });
    await t.http.post(`/api/calling/admin/${b.callId}/end`).set(ADMIN).expect(200);
    await t.http.post(`/api/calling/${c.callId}/pause`).set(as.member(200)).expect(200);

    const ids = async (query: string) => (await page(`?from=2026-03-05T00:00:00.000Z&to=2026-03-06T00:00:00.000Z${query}`)).calls.map((call) => call.id);
    expect(await ids('')).toEqual([c.callId, b.callId, a.callId]);
    expect(await ids('&status=ended')).toEqual([b.callId]);
    expect(await ids('&status=paused')).toEqual([c.callId]);
    expect(await ids('&status=active')).toEqual([a.callId]);
    const bounded = (await page('?from=2026-03-05T08:00:00.000Z&to=2026-03-05T10:00:00.000Z')).calls.map((call) => call.id);
    expect(bounded).toEqual([b.callId, a.callId]);
    expect((await page('?from=2026-03-05T10:00:00.000Z&to=2026-03-05T10:00:00.000Z')).calls).toEqual([]);

    const ended = (await page(`?from=2026-03-05T09:00:00.000Z&to=2026-03-05T09:00:00.001Z`)).calls[0];
    expect(ended).toEqual({
      id: b.callId,
      title: 'Range B',
      channel_name: b.channelName,
      creator_id: 200,
      creator_oto_number: expect.stringMatching(/^OTO#[A-Z0-9]{6}$/),
      is_public: false,
      max_participants: 50,
      status: 'ended',
      participant_count: 0,
      peak_participants: 0,
      created_at: '2026-03-05T09:00:00.000Z',
      ended_at: '2026-03-05T10:00:00.000Z',
      ended_by: 'admin',
      starts_at: null,
      ends_at: null,
      lobby: false,
      wait_for_host: false,
      mode: 'conference',
      max_speakers: null,
      speaker_count: null,
      encryption: 'none',
    });
  });

  it('searches titles case-insensitively, with % and _ matching only themselves', async () => {
    clock.set('2026-04-01T10:00:00.000Z');
    const pct = await createCall(t.http, 300, { title: 'Budget 100% Review' });
    const under = await createCall(t.http, 300, { title: 'snake_case talk' });
    const plain = await createCall(t.http, 300, { title: 'Snakes and ladders' });
    const ids = async (q: string) => (await page(`?from=2026-04-01T00:00:00.000Z&q=${encodeURIComponent(q)}`)).calls.map((call) => call.id);
    expect(await ids('budget')).toEqual([pct.callId]);
    expect(await ids('100%')).toEqual([pct.callId]);
    expect(await ids('%')).toEqual([pct.callId]);
    expect(await ids('e_c')).toEqual([under.callId]);
    expect(await ids('SNAKE')).toEqual([plain.callId, under.callId]);
    expect(await ids('nothing like it')).toEqual([]);
  });

  it('searches by OTO# number: the calls that member had a session in, paged like the rest', async () => {
    clock.set('2026-05-01T10:00:00.000Z');
    const member = as.member(401, { converse_id: 'OTO#SRCH01' });
    const calls: CreatedCall[] = [];
    for (let i = 0; i < 4; i += 1) calls.push(await createCall(t.http, 400, { title: `Member calls ${i}`, isPublic: true }));
    // Took part in 0, 1 and 3 (twice in 3); only invited to 2.
    for (const index of [0, 1, 3]) {
      await join(t.http, calls[index].callId, member).expect(200);
      await leave(t.http, calls[index].callId, member).expect(200);
    }
    await join(t.http, calls[3].callId, member).expect(200);
    await t.http.post(`/api/calling/${calls[2].callId}/invite`).set(as.member(400)).send({ userIds: [401] }).expect(200);

    const expected = [calls[3].callId, calls[1].callId, calls[0].callId];
    expect((await page('?q=OTO%23SRCH01')).calls.map((call) => call.id)).toEqual(expected);
    // The number in lower case is the same member.
    expect((await page('?q=oto%23srch01')).calls.map((call) => call.id)).toEqual(expected);
    const first = await page('?q=OTO%23SRCH01&limit=2');
    expect(first.calls.map((call) => call.id)).toEqual(expected.slice(0, 2));
    const rest = await page(`?q=OTO%23SRCH01&limit=2&cursor=${first.nextCursor}`);
    expect(rest).toEqual({ calls: [expect.objectContaining({ id: calls[0].callId })], nextCursor: null });
    expect((await page('?q=OTO%23SRCH01&status=active')).calls.map((call) => call.id)).toEqual(expected);
    // The live count of the call they are in now.
    expect((await page('?q=OTO%23SRCH01')).calls[0].participant_count).toBe(1);
    // A number nobody has: nothing.
    expect(await page('?q=OTO%23ZZZZZ9')).toEqual({ calls: [], nextCursor: null });
  });

  it.each([
    ['status=bogus'],
    ['limit=0'],
    ['limit=201'],
    ['limit=abc'],
    ['limit=1.5'],
    ['from=yesterday'],
    ['to=2026-13-01'],
    ['from=2026-02-02T00:00:00.000Z&to=2026-02-01T00:00:00.000Z'],
    ['cursor=not!base64'],
    [`cursor=${Buffer.from('hello').toString('base64url')}`],
    [`cursor=${Buffer.from('1770026400000.0').toString('base64url')}`],
    ['q='],
    [`q=${'x'.repeat(201)}`],
    ['unknown=1'],
  ])('refuses %s with 400 VALIDATION_FAILED', async (query) => {
    const res = await list(`?${query}`).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('is for admins only', async () => {
    const res = await list('').set(as.member(1)).expect(403);
    expect(res.body.code).toBe('ADMIN_REQUIRED');
  });

  (usingMysql ? it : it.skip)('walks indexes on MariaDB: the list, a status filter and the OTO# search (EXPLAIN of the real queries)', async () => {
    const repository = t.app.get(AdminConsoleRepository);
    const before = { createdAt: new Date('2026-03-01T00:00:00.000Z'), id: 1000 };
    const explain = async (filter: AdminCallsFilter) => {
      const [sql, params] = repository.adminCallsQuery(filter).getQueryAndParameters();
      return (await t.dataSource.query(`EXPLAIN ${sql}`, params)) as ExplainRow[];
    };
    const listPlan = await explain({ before, limit: 51 });
    expect(listPlan[0]).toMatchObject({ table: 'call', key: 'IDX_calls_created_id' });
    expect(listPlan[0].Extra ?? '').not.toMatch(/filesort/);
    const statusPlan = await explain({ status: 'ended', before, limit: 51 });
    expect(statusPlan[0].key).toMatch(/^IDX_calls_(status_created|created_id)$/);
    const memberPlan = await explain({ userId: 401, limit: 51 });
    // The member's sessions through (user_id, call_id); calls reached by primary key, never scanned whole.
    expect(memberPlan.find((row) => row.table === 's')?.key).toBe('IDX_call_sessions_user_call');
    expect(memberPlan.find((row) => row.table === 'call')?.type).not.toBe('ALL');
  });
});

describe('Admin console: overview and the sessions CSV against seeded data', () => {
  const clock = new FakeClock('2026-03-10T08:00:00.000Z');
  let t: TestApp;
  const calls: Record<'a' | 'b' | 'c' | 'd', CreatedCall> = {} as never;

  beforeAll(async () => {
    t = await startApp({ ...ENV, AGORA_TOKEN_TTL_SECONDS: '3600', CALL_RETENTION_DAYS: '30' }, undefined, clock);
    const m = (id: number) => as.member(id, { converse_id: `OTO#OVR${id}` });
    // A call that ended 40 days ago: outside the 30-day retention window, not yet purged.
    clock.set('2026-01-29T08:00:00.000Z');
    const old = await createCall(t.http, 840, { title: 'Long ago', isPublic: true });
    await join(t.http, old.callId, m(840)).expect(200);
    clock.set('2026-01-29T08:10:00.000Z');
    await t.http.post(`/api/calling/admin/${old.callId}/end`).set(ADMIN).expect(200);

    clock.set('2026-03-10T08:00:00.000Z');
    calls.a = await createCall(t.http, 800, { title: 'Busy A', isPublic: true });
    await join(t.http, calls.a.callId, m(800)).expect(200); // video, open all along
    calls.d = await createCall(t.http, 830, { title: 'Ended D', isPublic: true });
    await join(t.http, calls.d.callId, m(830), { media: 'audio' }).expect(200);
    clock.set('2026-03-10T08:05:00.000Z');
    await token(t.http, m(800), calls.a.channelName, 8000).expect(200); // more than an hour before 10:00
    clock.set('2026-03-10T08:30:00.000Z');
    await leave(t.http, calls.d.callId, m(830)).expect(200); // 30 audio minutes
    await t.http.post(`/api/calling/admin/${calls.d.callId}/end`).set(ADMIN).expect(200);

    clock.set('2026-03-10T09:30:00.000Z');
    await join(t.http, calls.a.callId, m(801), { media: 'audio' }).expect(200);
    await join(t.http, calls.a.callId, m(802)).expect(200);
    calls.b = await createCall(t.http, 810, { title: 'Quiet B', isPublic: true });
    await join(t.http, calls.b.callId, m(810)).expect(200);
    clock.set('2026-03-10T09:40:00.000Z');
    calls.c = await createCall(t.http, 820, { title: 'Paused C', isPublic: true });
    await join(t.http, calls.c.callId, m(820), { media: 'audio' }).expect(200);
    await join(t.http, calls.c.callId, m(821), { media: 'audio' }).expect(200);
    await t.http.post(`/api/calling/${calls.c.callId}/pause`).set(as.member(820)).expect(200);
    clock.set('2026-03-10T09:45:00.000Z');
    await leave(t.http, calls.a.callId, m(801)).expect(200); // 15 audio minutes
    clock.set('2026-03-10T09:50:00.000Z');
    await t.http.post(`/api/calling/${calls.a.callId}/media`).set(m(802)).send({ media: 'audio' }).expect(200); // 20 video minutes
    await token(t.http, m(802), calls.a.channelName, 8020).expect(200);
    await token(t.http, m(810), calls.b.channelName, 8100).expect(200);
    // A renewal of the same session a minute later: still one session with a token.
    clock.set('2026-03-10T09:51:00.000Z');
    await token(t.http, m(810), calls.b.channelName, 8100).expect(200);
    clock.set('2026-03-10T10:00:00.000Z');
  }, 60_000);
  afterAll(async () => t?.close());

  it('overview: live calls and members, the last hour, minutes today and the busiest calls, exactly', async () => {
    const res = await t.http.get('/api/calling/admin/overview').set(ADMIN).expect(200);
    const body = res.body as AdminOverviewDto;
    expect(body).toEqual({
      generated_at: '2026-03-10T10:00:00.000Z',
      active_calls: 2,
      paused_calls: 1,
      participants_now: 5,
      joins_last_hour: 5,
      token_sessions_last_hour: 2,
      today: '2026-03-10',
      audio_minutes_today: 45,
      video_minutes_today: 20,
      busiest_calls: [
        { id: calls.c.callId, title: 'Paused C', status: 'paused', participants: 2, peak_participants: 2, max_participants: 50, created_at: '2026-03-10T09:40:00.000Z' },
        { id: calls.a.callId, title: 'Busy A', status: 'active', participants: 2, peak_participants: 3, max_participants: 50, created_at: '2026-03-10T08:00:00.000Z' },
        { id: calls.b.callId, title: 'Quiet B', status: 'active', participants: 1, peak_participants: 1, max_participants: 50, created_at: '2026-03-10T09:30:00.000Z' },
      ],
    });
    // The minutes are the analytics report's for today, one definition.
    const report = (await t.http.get('/api/calling/admin/analytics?days=1').set(ADMIN).expect(200)).body as AnalyticsReportDto;
    expect([report.summary.totalAudioMinutes, report.summary.totalVideoMinutes]).toEqual([body.audio_minutes_today, body.video_minutes_today]);
    // No member is named or numbered.
    expect(JSON.stringify(body)).not.toMatch(/OTO#|real-name|example\.org/);
  });

  it('overview: busiest lists at most 5 live calls', async () => {
    clock.set('2026-03-10T10:00:00.000Z');
    const extra: number[] = [];
    for (let i = 0; i < 4; i += 1) extra.push((await createCall(t.http, 850 + i, { title: `Extra ${i}` })).callId);
    const body = (await t.http.get('/api/calling/admin/overview').set(ADMIN).expect(200)).body as AdminOverviewDto;
    expect(body.active_calls).toBe(6);
    expect(body.busiest_calls.map((call) => call.id)).toEqual([calls.c.callId, calls.a.callId, calls.b.callId, extra[3], extra[2]]);
    for (const id of extra) await t.http.post(`/api/calling/admin/${id}/end`).set(ADMIN).expect(200);
  });

  it('sessions.csv: one row per session with OTO# numbers, roles and media seconds; headers name the file', async () => {
    const res = await t.http.get(`/api/calling/admin/sessions.csv?callId=${calls.a.callId}&from=2026-03-10&to=2026-03-11`).set(ADMIN).buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="sessions_20260310T000000Z_20260311T000000Z_call-${calls.a.callId}.csv"`);
    expect(res.text.split('\r\n')).toEqual([
      'call_id,oto_number,role,joined_at,left_at,duration_seconds,audio_seconds,video_seconds,leave_reason',
      // Open since 08:00 on video: counted up to now (10:00).
      `${calls.a.callId},OTO#OVR800,host,2026-03-10T08:00:00.000Z,,,0,7200,`,
      `${calls.a.callId},OTO#OVR801,participant,2026-03-10T09:30:00.000Z,2026-03-10T09:45:00.000Z,900,900,0,left`,
      `${calls.a.callId},OTO#OVR802,participant,2026-03-10T09:30:00.000Z,,,600,1200,`,
      '',
    ]);
    expect(res.text).not.toMatch(/real-name|example\.org|Busy A/);
  });

  it('sessions.csv: the range is by join time, and calls ended before the retention window are left out', async () => {
    const all = await t.http.get('/api/calling/admin/sessions.csv').set(ADMIN).buffer(true).expect(200);
    expect(all.headers['content-disposition']).toBe('attachment; filename="sessions_start_now.csv"');
    const lines = all.text.trimEnd().split('\r\n');
    // 7 sessions today; the one of the call that ended 40 days ago is outside the 30-day window.
    expect(lines).toHaveLength(1 + 7);
    expect(all.text).not.toContain('OTO#OVR840');
    const window = await t.http.get('/api/calling/admin/sessions.csv?from=2026-03-10T09:00:00.000Z&to=2026-03-10T09:40:00.000Z').set(ADMIN).buffer(true).expect(200);
    expect(window.text.trimEnd().split('\r\n').slice(1).map((line) => line.split(',')[1])).toEqual(['OTO#OVR801', 'OTO#OVR802', 'OTO#OVR810']);
  });

  it('sessions.csv: cells a spreadsheet would run are neutralised, and quotes and commas escaped', async () => {
    await t.dataSource.query("UPDATE call_sessions SET leave_reason = '=HYPERLINK(\"x\",1)' WHERE call_id = ? AND left_at IS NOT NULL", [calls.d.callId]);
    const res = await t.http.get(`/api/calling/admin/sessions.csv?callId=${calls.d.callId}`).set(ADMIN).buffer(true).expect(200);
    expect(res.text.split('\r\n')[1]).toBe(`${calls.d.callId},OTO#OVR830,host,2026-03-10T08:00:00.000Z,2026-03-10T08:30:00.000Z,1800,1800,0,"'=HYPERLINK(""x"",1)"`);
  });

  it.each([['from=tomorrow'], ['from=2026-03-11&to=2026-03-10'], ['callId=0'], ['callId=abc'], ['other=1']])('sessions.csv refuses %s with 400 VALIDATION_FAILED (JSON)', async (query) => {
    const res = await t.http.get(`/api/calling/admin/sessions.csv?${query}`).set(ADMIN).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('documents sessions.csv as text/csv and its errors as JSON', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as { paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }> } }> };
    const responses = doc.paths['/api/calling/admin/sessions.csv'].get.responses;
    expect(Object.keys(responses['200'].content ?? {})).toEqual(['text/csv']);
    expect(Object.keys(responses['400'].content ?? {})).toEqual(['application/json']);
  });
});

/** `global.gc`, exposed at run time when jest was not started with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('Admin console: a CSV of 100,000 sessions streams with flat memory', () => {
  const SESSIONS = 100_000;
  const CALLS = 100;
  const MEMBERS = 1000;
  const ROWS_PER_INSERT = 1000;
  const clock = new FakeClock('2026-06-03T12:00:00.000Z');
  let t: TestApp;
  let port: number;

  /** A datetime literal both databases read the way TypeORM writes them. */
  const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

  async function insertRows(table: string, columns: string, count: number, row: (i: number) => string): Promise<void> {
    for (let start = 0; start < count; start += ROWS_PER_INSERT) {
      const values: string[] = [];
      for (let i = start; i < Math.min(count, start + ROWS_PER_INSERT); i += 1) values.push(`(${row(i)})`);
      await t.dataSource.query(`INSERT INTO ${table} (${columns}) VALUES ${values.join(',')}`);
    }
  }

  beforeAll(async () => {
    t = await startApp(ENV, undefined, clock);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const day = Date.parse('2026-05-31T00:00:00.000Z');
    const seeded = at(Date.parse('2026-06-01T00:00:00.000Z'));
    await insertRows('users', 'id, oto_number, membership_stage, role, first_seen_at, last_seen_at', MEMBERS, (i) => `${i + 1}, 'OTO#${String(i).padStart(6, 'M')}', 'member', 'user', '${seeded}', '${seeded}'`);
    await insertRows(
      'calls',
      'id, title, channel_name, creator_id, is_public, max_participants, status, active_participants, peak_participants, created_at, ended_at, ended_by, analytics_state',
      CALLS,
      (i) => `${i + 1}, 'Seeded ${i}', 'call_seeded_${i}', ${i + 1}, 1, 2000, 'ended', 0, 1000, '${at(day)}', '${at(day + 2 * 86_400_000)}', 'host', 2`,
    );
    // Session i: member i % 1000 in call i % 100, joined i seconds into the day, 60 s long, one audio segment of 60 s.
    const joined = (i: number) => day + i * 1000;
    await insertRows(
      'call_sessions',
      'id, call_id, user_id, media, open, joined_at, left_at, duration_seconds, leave_reason, folded_at',
      SESSIONS,
      (i) => `${i + 1}, ${(i % CALLS) + 1}, ${(i % MEMBERS) + 1}, 'audio', NULL, '${at(joined(i))}', '${at(joined(i) + 60_000)}', 60, 'left', '${seeded}'`,
    );
    await insertRows(
      'call_media_segments',
      'id, session_id, call_id, user_id, media, started_at, ended_at, duration_seconds, folded_at',
      SESSIONS,
      (i) => `${i + 1}, ${i + 1}, ${(i % CALLS) + 1}, ${(i % MEMBERS) + 1}, 'audio', '${at(joined(i))}', '${at(joined(i) + 60_000)}', 60, '${seeded}'`,
    );
  }, 120_000);
  afterAll(async () => t?.close());

  (usingMysql ? it : it.skip)('picks each export batch on the joined_at index, then joins calls, users and members by key (EXPLAIN)', async () => {
    await t.dataSource.query('ANALYZE TABLE calls, call_sessions, users');
    const after = { joinedAt: new Date('2026-05-31T12:00:00.000Z'), id: 43_200 };
    const [sql, params] = t.app.get(AdminConsoleRepository).exportBatchQuery({ retainedSince: new Date('2026-03-01T00:00:00.000Z') }, after, 1000).getQueryAndParameters();
    const plan = (await t.dataSource.query(`EXPLAIN ${sql}`, params)) as ExplainRow[];
    expect(plan.find((row) => row.table === 's')).toMatchObject({ key: 'IDX_call_sessions_joined' });
    for (const table of ['c', 'u', 'm']) expect(plan.find((row) => row.table === table)?.type).toBe('eq_ref');
  });

  it(
    'streams every row through a real HTTP request, and the server holds back while the client does not read',
    async () => {
      const gc = collector();
      // The V8 heap and the memory outside it (Buffers live there), after a collection.
      const heap = () => {
        gc();
        gc();
        const usage = process.memoryUsage();
        return usage.heapUsed + usage.external;
      };
      const download = (path: string) =>
        new Promise<IncomingMessage>((resolve, reject) => {
          get({ host: '127.0.0.1', port, path, headers: ADMIN }, resolve).on('error', reject);
        });
      // A small export first, so what the first request of a process sets up once is not counted.
      const warmUp = await download('/api/calling/admin/sessions.csv?to=2026-05-31T00:30:00.000Z');
      for await (const _chunk of warmUp) void _chunk;
      const baseline = heap();
      const samples: number[] = [];
      let bytes = 0;
      let lines = 0;
      let firstLine = '';
      let lastLine = '';
      let tail = '';
      let paused = false;

      const res = await download('/api/calling/admin/sessions.csv');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      let nextSample = 1_000_000;
      await new Promise<void>((resolve, reject) => {
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          const text = tail + chunk.toString('utf8');
          const parts = text.split('\r\n');
          tail = parts.pop()!;
          for (const line of parts) {
            if (lines === 0) firstLine = line;
            lastLine = line;
            lines += 1;
          }
          if (bytes >= nextSample) {
            nextSample += 1_000_000;
            samples.push(heap() - baseline);
            if (!paused && bytes > 2_000_000) {
              // Stop reading for a while: with backpressure the server reads no further batches meanwhile.
              paused = true;
              res.pause();
              setTimeout(() => {
                samples.push(heap() - baseline);
                res.resume();
              }, 500);
            }
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      });

      expect(tail).toBe('');
      expect(firstLine).toBe('call_id,oto_number,role,joined_at,left_at,duration_seconds,audio_seconds,video_seconds,leave_reason');
      expect(lines).toBe(1 + SESSIONS);
      // The last session: id 100000, call 100, member 1000 (no call_members row seeded: empty role).
      expect(lastLine).toBe(`100,OTO#MMM999,,${new Date(Date.parse('2026-05-31T00:00:00.000Z') + (SESSIONS - 1) * 1000).toISOString()},${new Date(Date.parse('2026-05-31T00:00:00.000Z') + (SESSIONS - 1) * 1000 + 60_000).toISOString()},60,60,0,left`);
      expect(bytes).toBeGreaterThan(7_000_000);
      expect(samples.length).toBeGreaterThanOrEqual(8);
      // Live memory after a collection stays a small fraction of the file, all through the download.
      const peak = Math.max(...samples);
      expect(peak).toBeLessThan(Math.min(3_000_000, bytes / 2.5));
      // And it does not grow with the rows sent: the end of the download holds no more than its start.
      expect(Math.max(...samples.slice(-3))).toBeLessThan(Math.max(...samples.slice(0, 3)) + 1_000_000);
    },
    usingMysql ? 90_000 : 60_000,
  );
});
