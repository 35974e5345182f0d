import { Logger } from '@nestjs/common';
import { DataSource, IsNull, LessThan } from 'typeorm';
import { CallMediaSegment } from '../src/calls/entities/call-media-segment.entity';
import { CallMember } from '../src/calls/entities/call-member.entity';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { JobScheduler } from '../src/jobs/job-scheduler.service';
import { AgoraNotice } from '../src/presence/entities/agora-notice.entity';
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { RetentionService } from '../src/retention/retention.service';
import { UidBinding } from '../src/calls/entities/uid-binding.entity';
import { LobbyEntry } from '../src/calls/entities/lobby-entry.entity';
import { createCall, join, leave, token } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const DAY = 86_400_000;
/** "Now" for every purge; the default retention is 90 days for calls, 30 for recordings. */
const NOW = Date.parse('2026-09-01T12:00:00.000Z');
const daysAgo = (days: number, extraMs = 0) => new Date(NOW - days * DAY + extraMs);
const HOUR = 3_600_000;
const ANALYTICS = '/api/calling/admin/analytics?days=365';

/**
 * Rows of the tables the purge must never touch, in a stable order. (It folds analytics first,
 * so the aggregates may grow; the report must stay the same.)
 */
const UNTOUCHED_TABLES = ['users', 'call_preferences', 'job_locks'];
const CHILD_ENTITIES = { members: CallMember, sessions: CallSession, segments: CallMediaSegment, bindings: UidBinding, lobby: LobbyEntry } as const;

/** A `YYYY-MM-DD HH:MM:SS.SSS` UTC literal both SQLite and MariaDB accept for a datetime(3). */
const sqlDatetime = (at: Date) => at.toISOString().replace('T', ' ').replace('Z', '');

describe('Retention: the daily purge of raw call records', () => {
  const clock = new FakeClock(daysAgo(200));
  let t: TestApp;
  let db: DataSource;
  let retention: RetentionService;
  const admin = as.admin(9000);
  let nextHost = 100;

  const at = (when: Date) => clock.set(when);
  /** A fresh host each time: creating calls is limited to 10 per hour per user. */
  const newCall = () => createCall(t.http, (nextHost += 1), { isPublic: true, maxParticipants: 10 });
  const end = (callId: number) => t.http.post(`/api/calling/admin/${callId}/end`).set(admin).expect(200);
  const analytics = async () => (await t.http.get(ANALYTICS).set(admin).expect(200)).body as unknown;

  /** A call's rows, without the marks the analytics fold sets (the purge folds before it deletes). */
  async function rowsOf(callId: number) {
    const unmarked = (rows: object[]) => (rows as Array<Record<string, unknown>>).map(({ foldedAt: _f, analyticsState: _a, ...row }) => row);
    const rows: Record<string, unknown[]> = { call: unmarked(await db.getRepository(Call).find({ where: { id: callId } })) };
    for (const [name, entity] of Object.entries(CHILD_ENTITIES)) rows[name] = unmarked(await db.getRepository(entity).find({ where: { callId }, order: { id: 'ASC' } }));
    return rows;
  }
  const untouched = async () => Promise.all(UNTOUCHED_TABLES.map((table) => db.query(`SELECT * FROM ${table} ORDER BY 1, 2`)));
  /** Outbox events older than the retention window (90 days before the clock). */
  const expiredEvents = () => db.getRepository(CallEvent).countBy({ occurredAt: LessThan(new Date(clock.now().getTime() - 90 * 86_400_000)) });
  const noticeIds = async () => (await db.getRepository(AgoraNotice).find({ order: { noticeId: 'ASC' } })).map((n) => n.noticeId);

  /**
   * A call with every kind of child row: a member invited who never came, a member who joins on
   * audio, binds a uid with a token and switches to video (two segments), and one who joins and
   * leaves. Created at `createdAt`, ended by an admin at `endedAt`.
   */
  async function fullCall(createdAt: Date, endedAt: Date | null): Promise<number> {
    at(createdAt);
    const hostId = nextHost + 1;
    const { callId, channelName } = await newCall();
    await t.http.put('/api/calling/preferences').set(as.member(hostId)).send({ voice_masking_enabled: true }).expect(200);
    await t.http.post(`/api/calling/${callId}/invite`).set(as.member(hostId)).send({ userIds: [hostId + 5000] }).expect(200);
    await join(t.http, callId, as.member(hostId + 1000), { media: 'audio' }).expect(200);
    await token(t.http, as.member(hostId + 1000), channelName, 4000 + hostId).expect(200);
    at(new Date(createdAt.getTime() + 60_000));
    await join(t.http, callId, as.member(hostId + 2000)).expect(200);
    at(new Date(createdAt.getTime() + 10 * 60_000));
    await t.http.post(`/api/calling/${callId}/media`).set(as.member(hostId + 1000)).send({ media: 'video' }).expect(200);
    at(new Date(createdAt.getTime() + 20 * 60_000));
    await leave(t.http, callId, as.member(hostId + 2000)).expect(200);
    // A lobby row: the host turns the lobby on and a member knocks.
    await t.http.patch(`/api/calling/${callId}`).set(as.member(hostId)).send({ lobby: true }).expect(200);
    await join(t.http, callId, as.member(hostId + 3000)).expect(202);
    if (endedAt) {
      at(endedAt);
      await end(callId);
    }
    return callId;
  }

  /** A call with one joiner, ended an hour after it started. */
  async function smallCall(createdAt: Date): Promise<number> {
    at(createdAt);
    const { callId } = await newCall();
    await join(t.http, callId, as.member(nextHost + 1000)).expect(200);
    at(new Date(createdAt.getTime() + HOUR));
    await end(callId);
    return callId;
  }

  let oldActive: number;
  let expired: number;
  let recent: number;
  let longCall: number;

  beforeAll(async () => {
    t = await startApp({}, undefined, clock);
    db = t.dataSource;
    retention = t.app.get(RetentionService);

    // Created 200 days ago and still going: never purged, however old.
    oldActive = await fullCall(daysAgo(200), null);
    // Ended 91 days ago: past the 90-day retention.
    expired = await fullCall(daysAgo(91, -2 * HOUR), daysAgo(91));
    // Created before the cutoff but ended after it (a long call): kept until 90 days after its end.
    longCall = await fullCall(daysAgo(95), daysAgo(85));
    // Ended 89 days ago: kept.
    recent = await fullCall(daysAgo(89, -2 * HOUR), daysAgo(89));

    await db.getRepository(AgoraNotice).insert([
      { noticeId: 'n-old-1', eventType: 103, receivedAt: daysAgo(91) },
      { noticeId: 'n-old-2', eventType: 104, receivedAt: daysAgo(90, -1) },
      { noticeId: 'n-cutoff', eventType: 104, receivedAt: daysAgo(90) },
      { noticeId: 'n-new', eventType: 105, receivedAt: daysAgo(89) },
    ]);
    at(new Date(NOW));
  });
  afterAll(async () => t?.close());

  it('deletes the expired call and its rows, keeps recent, long and active calls, notices by age, analytics unchanged', async () => {
    const before = { expired: await rowsOf(expired), recent: await rowsOf(recent), longCall: await rowsOf(longCall), oldActive: await rowsOf(oldActive) };
    // The fixture has every kind of row, so "gone" below means something.
    expect(before.expired.call).toHaveLength(1);
    expect(before.expired.members.length).toBe(4); // host, invitee, two joiners
    expect(before.expired.sessions.length).toBe(2);
    expect(before.expired.segments.length).toBe(3);
    expect(before.expired.bindings.length).toBe(3); // one picked by a client, two assigned at join
    expect(before.oldActive.call[0]).toMatchObject({ status: 'active', createdAt: daysAgo(200) });
    const analyticsBefore = await analytics();
    const untouchedBefore = await untouched();
    expect(untouchedBefore[1].length).toBe(4); // call_preferences
    // Nothing of these calls is in the aggregates yet: the report is all raw rows, and the purge
    // must fold them before it deletes any.
    expect(await db.getRepository(CallSession).countBy({ foldedAt: IsNull() })).toBeGreaterThan(0);

    // Outbox events are purged by age too (webhooks are off here, so whatever their status).
    const oldEvents = await expiredEvents();
    expect(oldEvents).toBeGreaterThan(0);
    expect((await rowsOf(expired)).lobby).toHaveLength(1);
    const log = jest.spyOn(Logger.prototype, 'log');
    let report;
    let logged: unknown[][];
    try {
      report = await retention.purge();
    } finally {
      logged = [...log.mock.calls];
      log.mockRestore();
    }

    // bindings: the uid one joiner picked, and the uid each of the two joiners was assigned at join.
    expect(report).toEqual({ calls: 1, members: 4, sessions: 2, segments: 3, bindings: 3, notices: 2, recordings: 0, events: oldEvents, batches: 3, durationMs: expect.any(Number) });
    expect(await expiredEvents()).toBe(0);
    expect(await rowsOf(expired)).toEqual({ call: [], members: [], sessions: [], segments: [], bindings: [], lobby: [] });
    expect(await rowsOf(recent)).toEqual(before.recent);
    expect(await rowsOf(longCall)).toEqual(before.longCall);
    expect(await rowsOf(oldActive)).toEqual(before.oldActive);
    expect(await noticeIds()).toEqual(['n-cutoff', 'n-new']);
    expect(await untouched()).toEqual(untouchedBefore);
    expect(await analytics()).toEqual(analyticsBefore);
    await t.http.get(`/api/calling/admin/${expired}/details`).set(admin).expect(404);
    await t.http.get(`/api/calling/admin/${recent}/details`).set(admin).expect(200);

    // One info line per run, with counts and duration only.
    const lines = logged.filter(([message]) => (message as { msg?: string })?.msg === 'retention purge');
    expect(lines).toHaveLength(1);
    const line = lines[0][0] as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(['batches', 'bindings', 'calls', 'durationMs', 'events', 'members', 'msg', 'notices', 'recordings', 'segments', 'sessions']);
    expect(line).toMatchObject({ calls: 1, members: 4, notices: 2 });
  });

  it('works in batches: five expired calls, batches of two, a long call in between is skipped', async () => {
    // Created after the calls above (higher ids), but older: the batches follow created_at.
    const batchCalls = [];
    for (const days of [130, 125, 96, 94, 93]) batchCalls.push(await smallCall(daysAgo(days)));
    at(new Date(NOW));
    const analyticsBefore = await analytics();
    const keptBefore = { recent: await rowsOf(recent), longCall: await rowsOf(longCall), oldActive: await rowsOf(oldActive) };
    expect(await db.getRepository(Call).countBy({ status: 'ended' })).toBe(2 + 5);

    const oldEvents = await expiredEvents();
    const report = await retention.purge({ batchSize: 2 });

    // 2 + 2 + 1 calls: three transactions; the fourth is not needed because the third was short.
    // Then the outbox events past the window, two per transaction.
    expect(report).toMatchObject({ events: oldEvents, batches: 3 + Math.ceil(oldEvents / 2) });
    // bindings: each call's joiner was assigned a uid.
    expect(report).toMatchObject({ calls: 5, members: 10, sessions: 5, segments: 5, bindings: 5, notices: 0, recordings: 0 });
    for (const callId of batchCalls) expect(await rowsOf(callId)).toEqual({ call: [], members: [], sessions: [], segments: [], bindings: [], lobby: [] });
    expect({ recent: await rowsOf(recent), longCall: await rowsOf(longCall), oldActive: await rowsOf(oldActive) }).toEqual(keptBefore);
    expect(await analytics()).toEqual(analyticsBefore);
  });

  it('a second purge is a no-op', async () => {
    const state = async () => ({ calls: await db.getRepository(Call).find({ order: { id: 'ASC' } }), notices: await noticeIds(), untouched: await untouched() });
    const before = await state();
    expect(before.calls.map((c) => c.id).sort()).toEqual([oldActive, longCall, recent].sort());
    expect(await retention.purge()).toEqual({ calls: 0, members: 0, sessions: 0, segments: 0, bindings: 0, notices: 0, recordings: 0, events: 0, batches: 0, durationMs: expect.any(Number) });
    expect(await state()).toEqual(before);
  });

  it('purges recordings that stopped more than 30 days ago, in batches by id; running ones stay whatever their age', async () => {
    // Finished recordings without files (the bucket side is test/recording.e2e-spec.ts): rows only.
    const made: Array<[string, Date | null]> = [
      ['stopped', daysAgo(31)],
      ['stopped', daysAgo(29)],
      ['failed', daysAgo(45)],
      ['stopped', daysAgo(30, -1)],
      ['stopped', daysAgo(30)],
      ['failed', daysAgo(400)],
      ['stopped', daysAgo(1)],
      ['recording', null],
    ];
    for (const [index, [status, stoppedAt]] of made.entries()) {
      await db.query(
        "INSERT INTO call_recordings (call_id, channel_name, mode, status, started_by, uid, created_at, stopped_at, purge_attempts) VALUES (?, 'ch', 'mix', ?, 1, 4294967295, ?, ?, 0)",
        [recent, status, sqlDatetime(daysAgo(500)), stoppedAt ? sqlDatetime(stoppedAt) : null],
      );
      expect((await db.query('SELECT MAX(id) AS id FROM call_recordings'))[0].id).toBe(index + 1);
    }
    try {
      const report = await retention.purge({ batchSize: 2 });

      // Ids 1, 3, 4 and 6 stopped more than 30 days ago: two batches that deleted rows.
      expect(report).toMatchObject({ calls: 0, notices: 0, recordings: 4, batches: 2 });
      const left = (await db.query('SELECT id FROM call_recordings ORDER BY id')) as Array<{ id: number }>;
      expect(left.map((row) => Number(row.id))).toEqual([2, 5, 7, 8]);
      // The call the recordings belonged to is still there (its own retention is 90 days).
      expect(await db.getRepository(Call).countBy({ id: recent })).toBe(1);
      expect(await retention.purge()).toMatchObject({ recordings: 0, batches: 0 });
    } finally {
      await db.query('DELETE FROM call_recordings');
    }
  });

  it('is the `retention` job of the scheduler: runOnce runs a purge under the lease', async () => {
    const scheduler = t.app.get(JobScheduler);
    const purge = jest.spyOn(retention, 'purge');
    try {
      const another = await smallCall(daysAgo(100));
      at(new Date(NOW));
      await expect(scheduler.runOnce('retention')).resolves.toBe(true);
      expect(purge).toHaveBeenCalledTimes(1);
      expect(await db.getRepository(Call).countBy({ id: another })).toBe(0);
      expect(await db.getRepository(Call).countBy({ id: recent })).toBe(1);
      // The lease was taken under the job's name, and given back.
      const [lock] = (await db.query("SELECT name FROM job_locks WHERE name = 'retention'")) as Array<{ name: string }>;
      expect(lock?.name).toBe('retention');
    } finally {
      purge.mockRestore();
    }
    // And once the clock moves past the recent call's 90 days, the next run takes it too.
    clock.set(daysAgo(-2));
    await expect(scheduler.runOnce('retention')).resolves.toBe(true);
    expect(await db.getRepository(Call).countBy({ id: recent })).toBe(0);
    expect(await db.getRepository(Call).countBy({ id: oldActive })).toBe(1);
  });
});
