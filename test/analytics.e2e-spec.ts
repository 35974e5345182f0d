import { AnalyticsRollup } from '../src/analytics/analytics-rollup.service';
import { createCall, join, leave } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const ANALYTICS = '/api/calling/admin/analytics';
const zero = (date: string) => ({ date, total_calls: 0, total_participants: 0, avg_duration: 0, audio_minutes: 0, video_minutes: 0, unique_members: 0, peak_participants: 0 });

/**
 * One fixture built through the HTTP API with a clock moved by hand, and answers computed by
 * hand (not by the service's algorithm). "Today" is Wednesday 2026-03-04, queried at 12:00 UTC.
 *
 * Calls (host → members; every call public; minutes are media segment time):
 *  C1 Sat 01-03 10:00 (before the 60-day window): 116 video 10:00-10:30, ended 10:30.
 *  C2 Sun 01-04 12:00: 101 audio 12:00-12:20 (left); 102 video 12:05-12:45; ended 12:45 (2700 s, peak 2).
 *  C3 Tue 01-20 09:00: 103 audio 09:00-09:30 (left); 101 video 09:10, switches to audio 09:20;
 *     ended 09:40:08 (2408 s, peak 2). Audio 30 + 20m08s = 50.1333 min, video 10.
 *  C4 Tue 02-10 15:00: 104 video 15:00-15:15; ended 15:15 (900 s, peak 1).
 *  C8 Fri 02-20 10:00: 111-115 join video at 10:00; 115 leaves 10:06 (video 6); never ends (peak 5).
 *  C5 Fri 02-27 20:00: 105 audio 20:00-20:30 (left); ended 21:00:10 (3610 s, peak 1).
 *  C6 Mon 03-02 23:50, across midnight: 101 video 23:50, switches to audio 00:05; 106 audio 23:55:20;
 *     107 video 00:10; ended Tue 00:20 (1800 s, peak 3, counted on 03-02, the day it was created).
 *     03-02: audio 4m40s (106) = 4.6667, video 10 (101). 03-03: audio 15 (101) + 20 (106) = 35,
 *     video 5 (101) + 10 (107) = 15. Members joined 03-02: 101, 106; 03-03: 107.
 *  C7 Wed 03-04 08:00, still going: 101 video 08:00, 108 audio 08:05, 109 audio 08:10, 110 audio 08:15,
 *     108 leaves 08:20 (audio 15; open segments count nothing yet). Peak 4.
 * Empty days: 02-26, 02-28, 03-01 (and most of January and February).
 *
 * A participant is a member's first session in a call, on the day of that join (101 is one in
 * C2, C3, C6 and C7); unique members count each member once per bucket; a bucket's peak is the
 * largest peak of a call created in it. Nothing is folded by the rollup job until the last tests:
 * the reports before are computed from the raw rows, and must not change once folded.
 */
describe('Admin analytics: buckets and summary from the per-day aggregates', () => {
  const clock = new FakeClock('2026-01-03T10:00:00.000Z');
  let t: TestApp;
  const admin = as.admin(900);

  const at = (iso: string) => clock.set(iso);
  const switchMedia = (callId: number, userId: number, media: 'audio' | 'video') =>
    t.http.post(`/api/calling/${callId}/media`).set(as.member(userId)).send({ media }).expect(200);
  const end = (callId: number) => t.http.post(`/api/calling/admin/${callId}/end`).set(as.admin(901)).expect(200);
  const publicCall = async (hostId: number) => (await createCall(t.http, hostId, { title: `Call of ${hostId}`, isPublic: true, maxParticipants: 10 })).callId;

  beforeAll(async () => {
    t = await startApp({}, undefined, clock);

    // C1, outside the 60-day window.
    at('2026-01-03T10:00:00.000Z');
    const c1 = await publicCall(1);
    await join(t.http, c1, as.member(116)).expect(200);
    at('2026-01-03T10:30:00.000Z');
    await end(c1);

    // C2
    at('2026-01-04T12:00:00.000Z');
    const c2 = await publicCall(2);
    await join(t.http, c2, as.member(101), { media: 'audio' }).expect(200);
    at('2026-01-04T12:05:00.000Z');
    await join(t.http, c2, as.member(102), { media: 'video' }).expect(200);
    at('2026-01-04T12:20:00.000Z');
    await leave(t.http, c2, as.member(101)).expect(200);
    at('2026-01-04T12:45:00.000Z');
    await end(c2);

    // C3, with a media switch
    at('2026-01-20T09:00:00.000Z');
    const c3 = await publicCall(3);
    await join(t.http, c3, as.member(103), { media: 'audio' }).expect(200);
    at('2026-01-20T09:10:00.000Z');
    await join(t.http, c3, as.member(101)).expect(200);
    at('2026-01-20T09:20:00.000Z');
    await switchMedia(c3, 101, 'audio');
    at('2026-01-20T09:30:00.000Z');
    await leave(t.http, c3, as.member(103)).expect(200);
    at('2026-01-20T09:40:08.000Z');
    await end(c3);

    // C4
    at('2026-02-10T15:00:00.000Z');
    const c4 = await publicCall(4);
    await join(t.http, c4, as.member(104)).expect(200);
    at('2026-02-10T15:15:00.000Z');
    await end(c4);

    // C8, still going at query time, created before the 7-day window
    at('2026-02-20T10:00:00.000Z');
    const c8 = await publicCall(8);
    for (const userId of [111, 112, 113, 114, 115]) await join(t.http, c8, as.member(userId)).expect(200);
    at('2026-02-20T10:06:00.000Z');
    await leave(t.http, c8, as.member(115)).expect(200);

    // C5
    at('2026-02-27T20:00:00.000Z');
    const c5 = await publicCall(5);
    await join(t.http, c5, as.member(105), { media: 'audio' }).expect(200);
    at('2026-02-27T20:30:00.000Z');
    await leave(t.http, c5, as.member(105)).expect(200);
    at('2026-02-27T21:00:10.000Z');
    await end(c5);

    // C6, across midnight, with a switch after midnight
    at('2026-03-02T23:50:00.000Z');
    const c6 = await publicCall(6);
    await join(t.http, c6, as.member(101), { media: 'video' }).expect(200);
    at('2026-03-02T23:55:20.000Z');
    await join(t.http, c6, as.member(106), { media: 'audio' }).expect(200);
    at('2026-03-03T00:05:00.000Z');
    await switchMedia(c6, 101, 'audio');
    at('2026-03-03T00:10:00.000Z');
    await join(t.http, c6, as.member(107)).expect(200);
    at('2026-03-03T00:20:00.000Z');
    await end(c6);

    // C7, still going at query time
    at('2026-03-04T08:00:00.000Z');
    const c7 = await publicCall(7);
    await join(t.http, c7, as.member(101)).expect(200);
    at('2026-03-04T08:05:00.000Z');
    await join(t.http, c7, as.member(108), { media: 'audio' }).expect(200);
    at('2026-03-04T08:10:00.000Z');
    await join(t.http, c7, as.member(109), { media: 'audio' }).expect(200);
    at('2026-03-04T08:15:00.000Z');
    await join(t.http, c7, as.member(110), { media: 'audio' }).expect(200);
    at('2026-03-04T08:20:00.000Z');
    await leave(t.http, c7, as.member(108)).expect(200);

    at('2026-03-04T12:00:00.000Z');
  });
  afterAll(async () => t?.close());

  it('groupBy=day over 7 days: one row per day, empty days as zero rows, a midnight-spanning call split', async () => {
    const res = await t.http.get(ANALYTICS).query({ days: 7, groupBy: 'day' }).set(admin).expect(200);
    expect(res.body).toEqual({
      dailyStats: [
        zero('2026-02-26'),
        { date: '2026-02-27', total_calls: 1, total_participants: 1, avg_duration: 3610, audio_minutes: 30, video_minutes: 0, unique_members: 1, peak_participants: 1 },
        zero('2026-02-28'),
        zero('2026-03-01'),
        { date: '2026-03-02', total_calls: 1, total_participants: 2, avg_duration: 1800, audio_minutes: 4.67, video_minutes: 10, unique_members: 2, peak_participants: 3 },
        // 107 joined C6 after midnight; no call was created that day.
        { date: '2026-03-03', total_calls: 0, total_participants: 1, avg_duration: 0, audio_minutes: 35, video_minutes: 15, unique_members: 1, peak_participants: 0 },
        { date: '2026-03-04', total_calls: 1, total_participants: 4, avg_duration: 0, audio_minutes: 15, video_minutes: 0, unique_members: 4, peak_participants: 4 },
      ],
      summary: {
        totalCalls: 3, // C5, C6, C7
        totalParticipants: 8, // 105; 101, 106, 107 in C6; 101, 108, 109, 110 in C7
        totalAudioMinutes: 84.67, // 30 + 4.6667 + 35 + 15
        totalVideoMinutes: 25,
        averageCallDuration: 2705, // (3610 + 1800) / 2
        peakParticipants: 4, // C7, still going; C8 (5) was created before the window
        uniqueMembers: 7, // 105, 101, 106, 107, 108, 109, 110
      },
    });
  });

  it('groupBy=week over 60 days: weeks start on Monday, the first before the window, members distinct per week', async () => {
    const res = await t.http.get(ANALYTICS).query({ days: 60, groupBy: 'week' }).set(admin).expect(200);
    // The window is 2026-01-04 (a Sunday) to 2026-03-04: C1 on 01-03 is outside it.
    expect(res.body).toEqual({
      dailyStats: [
        { date: '2025-12-29', total_calls: 1, total_participants: 2, avg_duration: 2700, audio_minutes: 20, video_minutes: 40, unique_members: 2, peak_participants: 2 },
        zero('2026-01-05'),
        zero('2026-01-12'),
        { date: '2026-01-19', total_calls: 1, total_participants: 2, avg_duration: 2408, audio_minutes: 50.13, video_minutes: 10, unique_members: 2, peak_participants: 2 },
        zero('2026-01-26'),
        zero('2026-02-02'),
        { date: '2026-02-09', total_calls: 1, total_participants: 1, avg_duration: 900, audio_minutes: 0, video_minutes: 15, unique_members: 1, peak_participants: 1 },
        { date: '2026-02-16', total_calls: 1, total_participants: 5, avg_duration: 0, audio_minutes: 0, video_minutes: 6, unique_members: 5, peak_participants: 5 },
        { date: '2026-02-23', total_calls: 1, total_participants: 1, avg_duration: 3610, audio_minutes: 30, video_minutes: 0, unique_members: 1, peak_participants: 1 },
        // C6's 3 and C7's 4 participants; 101 is in both: 6 distinct members.
        { date: '2026-03-02', total_calls: 2, total_participants: 7, avg_duration: 1800, audio_minutes: 54.67, video_minutes: 25, unique_members: 6, peak_participants: 4 },
      ],
      summary: {
        totalCalls: 7, // C2, C3, C4, C8, C5, C6, C7
        totalParticipants: 18, // 2 + 2 + 1 + 5 + 1 + 3 + 4
        totalAudioMinutes: 154.8, // 20 + 50.1333 + 30 + 54.6667
        totalVideoMinutes: 96, // 40 + 10 + 15 + 6 + 25
        averageCallDuration: 2284, // (2700 + 2408 + 900 + 3610 + 1800) / 5 = 2283.6
        peakParticipants: 5, // C8, still going
        uniqueMembers: 15, // 101-115
      },
    });
  });

  it('groupBy=month over 60 days: months start on the 1st, the first before the window', async () => {
    const res = await t.http.get(ANALYTICS).query({ days: 60, groupBy: 'month' }).set(admin).expect(200);
    expect(res.body).toEqual({
      dailyStats: [
        // 101, 102 in C2 and 101, 103 in C3: 4 participants, 3 distinct; 116 (01-03) is outside the window.
        { date: '2026-01-01', total_calls: 2, total_participants: 4, avg_duration: 2554, audio_minutes: 70.13, video_minutes: 50, unique_members: 3, peak_participants: 2 },
        { date: '2026-02-01', total_calls: 3, total_participants: 7, avg_duration: 2255, audio_minutes: 30, video_minutes: 21, unique_members: 7, peak_participants: 5 },
        { date: '2026-03-01', total_calls: 2, total_participants: 7, avg_duration: 1800, audio_minutes: 54.67, video_minutes: 25, unique_members: 6, peak_participants: 4 },
      ],
      summary: {
        totalCalls: 7,
        totalParticipants: 18,
        totalAudioMinutes: 154.8,
        totalVideoMinutes: 96,
        averageCallDuration: 2284,
        peakParticipants: 5,
        uniqueMembers: 15,
      },
    });
  });

  it('counts only the window\'s days in a week or month that starts before it', async () => {
    // 2 days: Tue 03-03 and Wed 03-04, in the week of Monday 03-02. C6 (created 03-02) is out,
    // its minutes after midnight are in; 101, 107-110 joined on those days.
    const week = await t.http.get(ANALYTICS).query({ days: 2, groupBy: 'week' }).set(admin).expect(200);
    expect(week.body).toEqual({
      dailyStats: [{ date: '2026-03-02', total_calls: 1, total_participants: 5, avg_duration: 0, audio_minutes: 50, video_minutes: 15, unique_members: 5, peak_participants: 4 }],
      summary: { totalCalls: 1, totalParticipants: 5, totalAudioMinutes: 50, totalVideoMinutes: 15, averageCallDuration: 0, peakParticipants: 4, uniqueMembers: 5 },
    });
    const month = await t.http.get(ANALYTICS).query({ days: 1, groupBy: 'month' }).set(admin).expect(200);
    expect(month.body).toEqual({
      dailyStats: [{ date: '2026-03-01', total_calls: 1, total_participants: 4, avg_duration: 0, audio_minutes: 15, video_minutes: 0, unique_members: 4, peak_participants: 4 }],
      summary: { totalCalls: 1, totalParticipants: 4, totalAudioMinutes: 15, totalVideoMinutes: 0, averageCallDuration: 0, peakParticipants: 4, uniqueMembers: 4 },
    });
  });

  it('defaults to 30 days by day', async () => {
    const res = await t.http.get(ANALYTICS).set(admin).expect(200);
    expect(res.body.dailyStats).toHaveLength(30);
    expect(res.body.dailyStats[0]).toEqual(zero('2026-02-03'));
    expect(res.body.dailyStats.map((row: { date: string }) => row.date).slice(-2)).toEqual(['2026-03-03', '2026-03-04']);
    expect(res.body.summary).toEqual({
      totalCalls: 5, // C4, C8, C5, C6, C7
      totalParticipants: 14, // 104; 111-115; 105; 101, 106, 107; 101, 108-110
      totalAudioMinutes: 84.67,
      totalVideoMinutes: 46, // 15 + 6 + 10 + 15
      averageCallDuration: 2103, // (900 + 3610 + 1800) / 3 = 2103.33
      peakParticipants: 5,
      uniqueMembers: 13, // 104, 111-115, 105, 101, 106-110
    });
  });

  it('reads the day rows and sketches, and of the raw rows only the tail not folded yet, through its flags', async () => {
    const runner = t.dataSource.createQueryRunner();
    const query = jest.spyOn(Object.getPrototypeOf(runner) as { query: (sql: string) => Promise<unknown> }, 'query');
    await runner.release();
    try {
      await t.http.get(ANALYTICS).query({ days: 365, groupBy: 'week' }).set(admin).expect(200);
      const sql = query.mock.calls.map(([text]) => text).filter((text) => !/^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SELECT VERSION|SET TRANSACTION)/i.test(text));
      expect(sql.filter((text) => /analytics_(days|day_sketches)/.test(text))).toHaveLength(2);
      const raw = sql.filter((text) => /call_sessions|call_media_segments|[`"\s]calls[`"\s]/.test(text));
      expect(raw).toHaveLength(4);
      for (const text of raw) expect(text).toMatch(/folded_at IS NULL|analytics_state IS NULL|status. IN \('active', 'paused'\)/);
      expect(sql.join('\n')).not.toMatch(/analytics_day_members|analytics_period_members|analytics_member_last_days/);
    } finally {
      query.mockRestore();
    }
  });

  it("adds up, over a window's buckets, to the calls' own participant counts", async () => {
    const res = await t.http.get(ANALYTICS).query({ days: 60, groupBy: 'day' }).set(admin).expect(200);
    const fromBuckets = res.body.dailyStats.reduce((sum: number, row: { total_participants: number }) => sum + row.total_participants, 0);
    const calls = await t.dataSource.query("SELECT id FROM calls WHERE created_at >= '2026-01-04'");
    let fromCalls = 0;
    for (const { id } of calls as Array<{ id: number }>) fromCalls += (await t.http.get(`/api/calling/admin/${id}/details`).set(admin).expect(200)).body.stats.total_participants;
    expect(fromBuckets).toBe(18);
    expect(fromCalls).toBe(fromBuckets);
  });

  it('gives the same reports once the rollup job has folded everything, and folds nothing twice', async () => {
    const queries = [{ days: 7, groupBy: 'day' }, { days: 60, groupBy: 'week' }, { days: 60, groupBy: 'month' }, { days: 2, groupBy: 'week' }, {}];
    const reports = async () => Promise.all(queries.map(async (q) => (await t.http.get(ANALYTICS).query(q).set(as.admin(930)).expect(200)).body as unknown));
    const before = await reports();
    const rollup = t.app.get(AnalyticsRollup);
    // Two folds at once (the job on one instance, retention on another): each row is counted once.
    const [first, second] = await Promise.all([rollup.foldAll(), rollup.foldAll()]);
    expect(first + second).toBeGreaterThan(30);
    expect(await t.dataSource.query('SELECT id FROM call_sessions WHERE folded_at IS NULL')).toEqual([]);
    expect(await reports()).toEqual(before);
    expect(await rollup.foldAll()).toBe(0);
    expect(await reports()).toEqual(before);
  });

  it('answers aggregates only: no username, email or user id anywhere', async () => {
    const res = await t.http.get(ANALYTICS).query({ days: 60, groupBy: 'day' }).set(admin).expect(200);
    expect(res.body.dailyStats).toHaveLength(60);
    expect(Object.keys(res.body)).toEqual(['dailyStats', 'summary']);
    for (const row of res.body.dailyStats) {
      expect(Object.keys(row)).toEqual(['date', 'total_calls', 'total_participants', 'avg_duration', 'audio_minutes', 'video_minutes', 'unique_members', 'peak_participants']);
    }
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/real-name|example\.org|user|email|oto/i);
    for (const id of [101, 105, 110, 116]) expect(text).not.toContain(`:${id},`);
  });

  it.each([
    ['days=0', { days: '0' }],
    ['days=366', { days: '366' }],
    ['days=abc', { days: 'abc' }],
    ['days=1.5', { days: '1.5' }],
    ['groupBy=year', { groupBy: 'year' }],
  ])('refuses %s with 400', async (_label, query) => {
    const res = await t.http.get(ANALYTICS).query(query).set(as.admin(910)).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    expect(res.body.message).toContain(Object.keys(query)[0]);
  });

  it('is for admins only', async () => {
    const res = await t.http.get(ANALYTICS).set(as.member(101)).expect(403);
    expect(res.body.code).toBe('ADMIN_REQUIRED');
    await t.http.get(ANALYTICS).expect(401);
  });

  it('allows 20 requests a minute per admin: the 21st is 429', async () => {
    const other = as.admin(920);
    for (let i = 0; i < 20; i += 1) await t.http.get(ANALYTICS).query({ days: 1 }).set(other).expect(200);
    const res = await t.http.get(ANALYTICS).query({ days: 1 }).set(other).expect(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(res.headers['retry-after']).toBeDefined();
    // Limits are per admin: another one is still served.
    await t.http.get(ANALYTICS).query({ days: 1 }).set(as.admin(921)).expect(200);
  });
});
