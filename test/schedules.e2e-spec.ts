/**
 * Scheduled calls (issue 24) with a FakeClock: startsAt/endsAt on create and PATCH, admission
 * before the start and at the end, tokens capped at endsAt, the `call-schedule` job (the end at
 * endsAt, the reminders once each, across a restart), my-calls?upcoming=true, and the idle timer.
 * Each case runs on a day of its own, the clock only moving forward.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { CallSchedule } from '../src/calls/call-schedule.service';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { RecordingHooks } from '../src/calls/recording-hooks';
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { PresenceSweeper } from '../src/presence/presence-sweeper.service';
import { createCall, join, leave } from './support/calls';
import { FakeClock } from './support/clock';
import { openStream } from './support/event-stream';
import { FakeAgora, fakeAgora } from './support/fake-agora';
import { brokenInvariants } from './support/invariants';
import { as } from './support/jwt';
import { createTestDatabase, startApp, TestApp, usingMysql } from './support/test-app';
// The token parser lives beside the builders in agora-token; it has no type declarations.
const { AccessToken2, ServiceRtc } = require('agora-token/src/AccessToken2');

/** A token's lifetime and its RTC privileges (privilege number: seconds). */
function grants(raw: string): { expire: number; privileges: Record<number, number> } {
  const parsed = new AccessToken2();
  expect(parsed.from_string(raw)).toBe(true);
  return { expire: parsed.expire, privileges: parsed.services[0].__privileges };
}
const JOIN_CHANNEL = ServiceRtc.kPrivilegeJoinChannel as number;
const PUBLISH_AUDIO = ServiceRtc.kPrivilegePublishAudioStream as number;
const PUBLISH_VIDEO = ServiceRtc.kPrivilegePublishVideoStream as number;

const AGORA_ENV = { AGORA_CUSTOMER_ID: 'customer-id', AGORA_CUSTOMER_SECRET: 'customer-secret', AGORA_TOKEN_TTL_SECONDS: '3600' };

describe('Scheduled calls', () => {
  const clock = new FakeClock('2026-04-06T09:00:00.000Z');
  let agora: FakeAgora;
  let t: TestApp;
  const admin = as.admin(90_000);

  beforeAll(async () => {
    agora = await fakeAgora();
    t = await startApp({ ...AGORA_ENV, AGORA_API_BASE_URL: agora.url }, undefined, clock);
  });
  afterAll(async () => {
    await t?.close();
    await agora?.close();
  });

  const create = (hostId: number, body: object) => t.http.post('/api/calling/create').set(as.member(hostId)).send({ title: 'Scheduled', ...body });
  const patch = (callId: number, userId: number, body: object, auth = as.member(userId)) => t.http.patch(`/api/calling/${callId}`).set(auth).send(body);
  const callRow = (callId: number) => t.dataSource.getRepository(Call).findOneByOrFail({ id: callId });
  const events = (callId: number, type?: string) => t.dataSource.getRepository(CallEvent).find({ where: type ? { callId, type } : { callId }, order: { id: 'ASC' } });
  const run = () => t.app.get(CallSchedule).run();
  /** Makes a member known to the service (as their first request would) and a moderator of the call. */
  const makeModerator = async (callId: number, hostId: number, userId: number) => {
    await t.http.get('/api/calling/my-calls').set(as.member(userId)).expect(200);
    await t.http.put(`/api/calling/${callId}/members/${userId}`).set(as.member(hostId)).send({ role: 'moderator' }).expect(200);
  };
  /** A token for the caller's assigned uid. */
  const tokenOf = (userId: number, channelName: string) => t.http.post('/api/calling/token').set(userId === 90_000 ? admin : as.member(userId)).send({ channelName });

  it('create: startsAt and endsAt are checked (400 VALIDATION_FAILED, nothing written) and every call row shows them', async () => {
    clock.set('2026-04-06T09:00:00.000Z');
    const before = await t.dataSource.getRepository(Call).count();
    const refused: Array<[object, RegExp]> = [
      [{ startsAt: '2026-04-06T08:59:59Z' }, /startsAt must be in the future/],
      [{ startsAt: '2026-04-06T09:00:00Z' }, /startsAt must be in the future/],
      [{ startsAt: '2026-04-06T18:00:00' }, /startsAt must be an ISO 8601 instant with a time zone/],
      [{ startsAt: '2026-04-06' }, /startsAt must be an ISO 8601 instant/],
      [{ startsAt: '2026-02-30T18:00:00Z' }, /startsAt must be a valid ISO 8601 date/],
      [{ startsAt: 'next thursday' }, /startsAt must be an ISO 8601 instant/],
      [{ startsAt: 1775498400000 }, /startsAt must be an ISO 8601 instant/],
      [{ startsAt: '2026-04-06T18:00:00Z', endsAt: '2026-04-06T17:00:00Z' }, /endsAt must be after startsAt/],
      [{ startsAt: '2026-04-06T18:00:00Z', endsAt: '2026-04-06T18:00:00Z' }, /endsAt must be after startsAt/],
      [{ startsAt: '2026-04-06T18:00:00Z', endsAt: '2026-04-07T18:00:00.001Z' }, /endsAt must be at most 24 hours after startsAt/],
      [{ endsAt: '2026-04-06T08:00:00Z' }, /endsAt must be in the future/],
      [{ endsAt: '2026-04-07T09:00:00.001Z' }, /endsAt must be at most 24 hours after now/],
      [{ endsAt: '2026-04-06T10:00:00Z', extra: 1 }, /property extra should not exist/],
    ];
    for (const [index, [body, message]] of refused.entries()) {
      const res = await create(2000 + index, body); // one member each: create has a rate limit
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect(await t.dataSource.getRepository(Call).count()).toBe(before);

    // 20:00 at +02:00 is 18:00Z; exactly 24 hours is allowed.
    const res = await create(1000, { isPublic: true, startsAt: '2026-04-06T20:00:00+02:00', endsAt: '2026-04-07T18:00:00Z' }).expect(201);
    const callId = res.body.callId as number;
    const schedule = { starts_at: '2026-04-06T18:00:00.000Z', ends_at: '2026-04-07T18:00:00.000Z' };
    const mine = (await t.http.get('/api/calling/my-calls').set(as.member(1000)).expect(200)).body as Array<{ id: number }>;
    expect(mine.find((row) => row.id === callId)).toMatchObject({ ...schedule, status: 'active', role: 'host' });
    expect((await t.http.get(`/api/calling/${callId}`).set(as.member(1000)).expect(200)).body).toMatchObject(schedule);
    const listed = (await t.http.get('/api/calling/admin/calls?limit=200').set(admin).expect(200)).body.calls as Array<{ id: number }>;
    expect(listed.find((row) => row.id === callId)).toMatchObject(schedule);
    expect((await t.http.get(`/api/calling/admin/${callId}/details`).set(admin).expect(200)).body.call).toMatchObject(schedule);
    expect(JSON.parse((await events(callId, 'call.created'))[0].data!)).toEqual({ title: 'Scheduled', is_public: true, max_participants: 50, ...schedule });

    // Without them, as before: nulls in the rows, nothing new in call.created.
    const plain = await createCall(t.http, 1000, { title: 'Plain' });
    expect((await t.http.get(`/api/calling/${plain.callId}`).set(as.member(1000)).expect(200)).body).toMatchObject({ starts_at: null, ends_at: null });
    expect(JSON.parse((await events(plain.callId, 'call.created'))[0].data!)).toEqual({ title: 'Plain', is_public: false, max_participants: 50 });
  });

  it('before it opens, members get 409 CALL_NOT_STARTED with Retry-After; the host, moderators and admins join any time; members from startsAt minus 10 minutes', async () => {
    clock.set('2026-04-07T19:00:00.000Z');
    const { callId, channelName } = (await create(1010, { isPublic: true, startsAt: '2026-04-08T18:00:00Z', endsAt: '2026-04-08T19:00:00Z' }).expect(201)).body as { callId: number; channelName: string };
    await t.http.post(`/api/calling/${callId}/invite`).set(as.member(1010)).send({ userIds: [1013] }).expect(200);
    await makeModerator(callId, 1010, 1013);

    clock.set('2026-04-08T17:10:00.000Z');
    const early = await join(t.http, callId, as.member(1011)).expect(409);
    expect(early.body).toMatchObject({ code: 'CALL_NOT_STARTED', message: expect.stringContaining('2026-04-08T17:50:00.000Z') });
    expect(early.headers['retry-after']).toBe('2400');
    // The heartbeat explains the same way; no session was opened, no slot taken.
    const beat = await t.http.post(`/api/calling/${callId}/heartbeat`).set(as.member(1011)).expect(409);
    expect({ code: beat.body.code, retryAfter: beat.headers['retry-after'] }).toEqual({ code: 'CALL_NOT_STARTED', retryAfter: '2400' });
    expect((await callRow(callId)).activeParticipants).toBe(0);

    await join(t.http, callId, as.member(1010)).expect(200); // the host
    await join(t.http, callId, as.member(1013)).expect(200); // a moderator
    await join(t.http, callId, admin).expect(200); // an admin
    await tokenOf(1010, channelName).expect(200);

    clock.set('2026-04-08T17:49:59.500Z');
    const last = await join(t.http, callId, as.member(1011)).expect(409);
    expect(last.headers['retry-after']).toBe('1');
    clock.set('2026-04-08T17:50:00.000Z');
    await join(t.http, callId, as.member(1011)).expect(200);
    await tokenOf(1011, channelName).expect(200);
    expect(await brokenInvariants(t.dataSource)).toEqual({});
  });

  it('tokens never outlive the call: capped at endsAt (muted members too), recorded so, none once it is over', async () => {
    clock.set('2026-04-09T10:00:00.000Z');
    const { callId, channelName } = (await create(1020, { isPublic: true, endsAt: '2026-04-09T10:30:00Z' }).expect(201)).body as { callId: number; channelName: string };
    await join(t.http, callId, as.member(1020)).expect(200);
    await join(t.http, callId, as.member(1021)).expect(200);
    const sessionOf = (userId: number) => t.dataSource.getRepository(CallSession).findOneByOrFail({ callId, userId, open: 1 });

    // Half an hour left: 1800 s, though the configured lifetime is 3600.
    const first = await tokenOf(1020, channelName).expect(200);
    expect(grants(first.body.token)).toEqual({ expire: 1800, privileges: { [JOIN_CHANNEL]: 1800, [PUBLISH_AUDIO]: 1800, [PUBLISH_VIDEO]: 1800, [ServiceRtc.kPrivilegePublishDataStream]: 1800 } });
    expect(first.body.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThanOrEqual(1799);
    expect(first.body.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(1800);
    expect((await sessionOf(1020)).tokenExpiresAt?.toISOString()).toBe('2026-04-09T10:30:00.000Z');

    // A renewal near the end ends at endsAt: 100 s, rounded down (never past the end).
    clock.set('2026-04-09T10:28:19.600Z');
    const renewal = await tokenOf(1020, channelName).expect(200);
    expect(grants(renewal.body.token).expire).toBe(100);
    expect(grants(renewal.body.token).privileges[JOIN_CHANNEL]).toBe(100);
    // The recorded expiry never moves back and stays within the lag of the newest token's.
    expect((await sessionOf(1020)).tokenExpiresAt?.toISOString()).toBe('2026-04-09T10:30:00.000Z');

    // A muted member's token (built without the muted privilege) is capped the same way.
    await t.http.post(`/api/calling/${callId}/participants/1021/mute`).set(as.member(1020)).send({ audio: true }).expect(200);
    const muted = grants((await tokenOf(1021, channelName).expect(200)).body.token);
    expect(muted.expire).toBe(100);
    expect(muted.privileges[JOIN_CHANNEL]).toBe(100);
    expect(muted.privileges[PUBLISH_AUDIO]).toBeUndefined();
    expect((await sessionOf(1021)).tokenExpiresAt?.getTime()).toBeLessThanOrEqual(Date.parse('2026-04-09T10:30:00.000Z'));

    // Less than a second left: no token. At endsAt the call is over for every route, before the job has run.
    clock.set('2026-04-09T10:29:59.400Z');
    await tokenOf(1020, channelName).expect(403);
    clock.set('2026-04-09T10:30:00.000Z');
    expect((await join(t.http, callId, as.member(1022)).expect(404)).body.code).toBe('CALL_ENDED');
    expect((await t.http.post(`/api/calling/${callId}/media`).set(as.member(1021)).send({ media: 'audio' }).expect(404)).body.code).toBe('CALL_ENDED');
    await tokenOf(1021, channelName).expect(403);

    // The sweeper, coming before the job, closes the sessions once their (capped) tokens expired
    // plus the lag; the job then ends the call no earlier than those closes.
    clock.set('2026-04-09T10:30:10.000Z');
    await t.app.get(PresenceSweeper).sweep();
    const swept = await t.dataSource.getRepository(CallSession).find({ where: { callId }, order: { userId: 'ASC' } });
    expect(swept.map((s) => [s.userId, s.leftAt?.toISOString(), s.leaveReason])).toEqual([
      [1020, '2026-04-09T10:30:05.000Z', 'token_expired'],
      [1021, '2026-04-09T10:30:04.600Z', 'token_expired'],
    ]);
    await run();
    const ended = await callRow(callId);
    expect({ status: ended.status, endedBy: ended.endedBy, endedAt: ended.endedAt?.toISOString() }).toEqual({ status: 'ended', endedBy: 'schedule', endedAt: '2026-04-09T10:30:05.000Z' });
    expect(await brokenInvariants(t.dataSource)).toEqual({});
  });

  it('at endsAt the call ends by itself (ended_by schedule), dated endsAt: sessions close, the channel is kicked, the recording is told, once', async () => {
    clock.set('2026-04-10T12:00:00.000Z');
    const a = (await create(1030, { isPublic: true, endsAt: '2026-04-10T12:45:00Z' }).expect(201)).body as { callId: number; channelName: string };
    const b = (await create(1030, { isPublic: true, endsAt: '2026-04-10T12:45:00Z' }).expect(201)).body as { callId: number; channelName: string };
    for (const call of [a, b]) {
      await join(t.http, call.callId, as.member(1030)).expect(200);
      await join(t.http, call.callId, as.member(1031)).expect(200);
    }
    clock.set('2026-04-10T12:44:59.999Z');
    expect(await run()).toEqual({ ended: 0, startingSoon: 0, endingSoon: 2 });

    // In b a member leaves after endsAt, before the job comes: b ends then, so nothing outlasts it.
    clock.set('2026-04-10T12:45:01.000Z');
    await leave(t.http, b.callId, as.member(1031)).expect(200);
    clock.set('2026-04-10T12:45:04.000Z');
    const recordings = jest.spyOn(t.app.get(RecordingHooks), 'callEnded');
    const kicksBefore = agora.requests.length;
    try {
      expect(await run()).toEqual({ ended: 2, startingSoon: 0, endingSoon: 0 });
      expect(recordings.mock.calls.map(([id]) => id).sort()).toEqual([a.callId, b.callId].sort());
    } finally {
      recordings.mockRestore();
    }
    const kicked = agora.requests.slice(kicksBefore).filter((r) => r.method === 'POST' && /kicking-rule/.test(r.url));
    expect(kicked.map((r) => (r.body as { cname: string; privileges: string[] }).cname).sort()).toEqual([a.channelName, b.channelName].sort());
    expect(kicked.every((r) => JSON.stringify((r.body as { privileges: string[] }).privileges) === '["join_channel"]')).toBe(true);

    const endedA = await callRow(a.callId);
    expect({ status: endedA.status, endedBy: endedA.endedBy, endedAt: endedA.endedAt?.toISOString() }).toEqual({ status: 'ended', endedBy: 'schedule', endedAt: '2026-04-10T12:45:00.000Z' });
    expect((await callRow(b.callId)).endedAt?.toISOString()).toBe('2026-04-10T12:45:01.000Z');
    const sessions = await t.dataSource.getRepository(CallSession).find({ where: { callId: a.callId } });
    expect(sessions.map((s) => [s.open, s.leftAt?.toISOString(), s.leaveReason])).toEqual([
      [null, '2026-04-10T12:45:00.000Z', 'call_ended'],
      [null, '2026-04-10T12:45:00.000Z', 'call_ended'],
    ]);
    const endedEvent = (await events(a.callId, 'call.ended'))[0];
    expect({ at: endedEvent.occurredAt.toISOString(), data: JSON.parse(endedEvent.data!), actor: endedEvent.actorId }).toEqual({ at: '2026-04-10T12:45:00.000Z', data: { ended_by: 'schedule' }, actor: null });
    expect((await t.http.get(`/api/calling/admin/${a.callId}/details`).set(admin).expect(200)).body.call).toMatchObject({ status: 'ended', ended_by: 'schedule' });

    // Once: the next run finds nothing, an end by the host now is 409 as for any ended call.
    expect(await run()).toEqual({ ended: 0, startingSoon: 0, endingSoon: 0 });
    await t.http.post(`/api/calling/${a.callId}/end`).set(as.member(1030)).expect(409);
    expect(await events(a.callId, 'call.ended')).toHaveLength(1);
    expect(await brokenInvariants(t.dataSource)).toEqual({});
  });

  it('PATCH moves the schedule with the create rules; startsAt is 409 CALL_ALREADY_STARTED once it has passed; call.updated says what moved', async () => {
    clock.set('2026-04-11T13:00:00.000Z');
    const { callId } = (await create(1040, { startsAt: '2026-04-11T15:00:00Z', endsAt: '2026-04-11T16:00:00Z' }).expect(201)).body as { callId: number };
    await t.http.post(`/api/calling/${callId}/invite`).set(as.member(1040)).send({ userIds: [1041, 1042] }).expect(200);
    await makeModerator(callId, 1040, 1042);

    const moved = await patch(callId, 1042, { startsAt: '2026-04-11T15:30:00Z' }).expect(200); // a moderator may
    expect(moved.body).toMatchObject({ id: callId, starts_at: '2026-04-11T15:30:00.000Z', ends_at: '2026-04-11T16:00:00.000Z' });
    expect(JSON.parse((await events(callId, 'call.updated'))[0].data!)).toEqual({ changed: { starts_at: '2026-04-11T15:30:00.000Z' } });
    await patch(callId, 1041, { startsAt: '2026-04-11T15:45:00Z' }).expect(403);

    const refused: Array<[object, RegExp]> = [
      [{ endsAt: '2026-04-11T15:20:00Z' }, /endsAt must be after startsAt/],
      [{ startsAt: '2026-04-11T16:00:00Z' }, /endsAt must be after startsAt/],
      [{ startsAt: '2026-04-11T12:00:00Z' }, /startsAt must be in the future/],
      [{ endsAt: '2026-04-12T15:30:00.001Z' }, /at most 24 hours after startsAt/],
      [{ startsAt: null, endsAt: '2026-04-12T13:00:00.001Z' }, /at most 24 hours after now/],
      [{ endsAt: 'soon' }, /endsAt must be an ISO 8601 instant/],
    ];
    for (const [body, message] of refused) {
      const res = await patch(callId, 1040, body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect(await callRow(callId)).toMatchObject({ startsAt: new Date('2026-04-11T15:30:00Z'), endsAt: new Date('2026-04-11T16:00:00Z') });

    // null removes the end; it can be set again.
    expect((await patch(callId, 1040, { endsAt: null }).expect(200)).body.ends_at).toBeNull();
    expect((await patch(callId, 1040, { endsAt: '2026-04-11T17:00:00Z', title: 'Moved' }).expect(200)).body).toMatchObject({ title: 'Moved', ends_at: '2026-04-11T17:00:00.000Z' });

    // Once startsAt has passed it stays; the same instant again changes nothing; endsAt may still move.
    clock.set('2026-04-11T15:30:00.000Z');
    const started = await patch(callId, 1040, { startsAt: '2026-04-11T16:00:00Z' }).expect(409);
    expect(started.body).toMatchObject({ code: 'CALL_ALREADY_STARTED', message: expect.stringContaining('2026-04-11T15:30:00.000Z') });
    expect((await patch(callId, 1040, { startsAt: null }).expect(409)).body.code).toBe('CALL_ALREADY_STARTED');
    await patch(callId, 1040, { startsAt: '2026-04-11T17:30:00+02:00' }).expect(200);
    expect((await patch(callId, 1040, { endsAt: '2026-04-11T17:30:00Z' }).expect(200)).body.ends_at).toBe('2026-04-11T17:30:00.000Z');
    expect((await events(callId, 'call.updated')).map((e) => JSON.parse(e.data!).changed)).toEqual([
      { starts_at: '2026-04-11T15:30:00.000Z' },
      { ends_at: null },
      { title: 'Moved', ends_at: '2026-04-11T17:00:00.000Z' },
      { ends_at: '2026-04-11T17:30:00.000Z' },
    ]);

    // Past its endsAt (the job has not come yet) the schedule is over: 404 CALL_ENDED.
    clock.set('2026-04-11T17:30:00.000Z');
    expect((await patch(callId, 1040, { endsAt: '2026-04-11T18:00:00Z' }).expect(404)).body.code).toBe('CALL_ENDED');

    // An unscheduled call can be scheduled: members in it stay, nobody new joins before it opens.
    clock.set('2026-04-11T18:00:00.000Z');
    const open = await createCall(t.http, 1043, { isPublic: true });
    await join(t.http, open.callId, as.member(1044)).expect(200);
    await patch(open.callId, 1043, { startsAt: '2026-04-11T20:00:00Z' }).expect(200);
    await tokenOf(1044, open.channelName).expect(200);
    await join(t.http, open.callId, as.member(1044)).expect(200);
    expect((await join(t.http, open.callId, as.member(1045)).expect(409)).body.code).toBe('CALL_NOT_STARTED');
    // null opens it now.
    await patch(open.callId, 1043, { startsAt: null }).expect(200);
    await join(t.http, open.callId, as.member(1045)).expect(200);
  });

  it('reminders: call.starting_soon 10 minutes before startsAt (to the host and invited members), call.ending_soon 5 before endsAt, once each; a moved instant gets one, the same instant never twice', async () => {
    await t.app.listen(0, '127.0.0.1');
    const base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    clock.set('2026-04-12T06:00:00.000Z');
    const { callId } = (await create(1050, { title: 'Standup', startsAt: '2026-04-12T08:00:00Z', endsAt: '2026-04-12T09:00:00Z' }).expect(201)).body as { callId: number };
    await t.http.post(`/api/calling/${callId}/invite`).set(as.member(1050)).send({ userIds: [1051] }).expect(200);
    const { ticket } = (await t.http.post('/api/calling/events/ticket').set(as.member(1051)).expect(201)).body as { ticket: string };
    const stream = await openStream(base, `ticket=${ticket}`);
    try {
      clock.set('2026-04-12T07:49:59.999Z');
      expect((await run()).startingSoon).toBe(0);
      clock.set('2026-04-12T07:50:00.000Z');
      expect((await run()).startingSoon).toBe(1);
      expect((await run()).startingSoon).toBe(0);
      const reminder = await stream.next((e) => e.body.type === 'call.starting_soon');
      expect(reminder.body).toEqual({
        id: expect.stringMatching(/^evt_\d+$/),
        type: 'call.starting_soon',
        occurredAt: '2026-04-12T07:50:00.000Z',
        callId,
        data: { title: 'Standup', starts_at: '2026-04-12T08:00:00.000Z', ends_at: '2026-04-12T09:00:00.000Z' },
      });
    } finally {
      stream.close();
    }

    // Moved to 08:30: a new reminder at 08:20, for 08:30.
    clock.set('2026-04-12T07:52:00.000Z');
    await patch(callId, 1050, { startsAt: '2026-04-12T08:30:00Z' }).expect(200);
    expect((await run()).startingSoon).toBe(0);
    clock.set('2026-04-12T08:20:00.000Z');
    expect((await run()).startingSoon).toBe(1);
    // Moved away and back to 08:30: it was sent for 08:30 already.
    clock.set('2026-04-12T08:21:00.000Z');
    await patch(callId, 1050, { startsAt: '2026-04-12T08:45:00Z' }).expect(200);
    await patch(callId, 1050, { startsAt: '2026-04-12T08:30:00Z' }).expect(200);
    expect((await run()).startingSoon).toBe(0);

    clock.set('2026-04-12T08:54:59.999Z');
    expect((await run()).endingSoon).toBe(0);
    clock.set('2026-04-12T08:55:00.000Z');
    expect((await run()).endingSoon).toBe(1);
    expect((await run()).endingSoon).toBe(0);
    const reminders = await events(callId);
    expect(reminders.filter((e) => e.type.endsWith('_soon')).map((e) => [e.type, e.occurredAt.toISOString(), JSON.parse(e.data!).starts_at])).toEqual([
      ['call.starting_soon', '2026-04-12T07:50:00.000Z', '2026-04-12T08:00:00.000Z'],
      ['call.starting_soon', '2026-04-12T08:20:00.000Z', '2026-04-12T08:30:00.000Z'],
      ['call.ending_soon', '2026-04-12T08:55:00.000Z', '2026-04-12T08:30:00.000Z'],
    ]);

    // A reminder whose instant passed before the job came is not sent; one created inside the window goes at once.
    clock.set('2026-04-12T10:00:00.000Z');
    const missed = (await create(1052, { startsAt: '2026-04-12T10:20:00Z' }).expect(201)).body.callId as number;
    const soon = (await create(1052, { startsAt: '2026-04-12T10:05:00Z', endsAt: '2026-04-12T10:08:00Z' }).expect(201)).body.callId as number;
    clock.set('2026-04-12T10:20:00.000Z');
    expect(await run()).toMatchObject({ startingSoon: 0, endingSoon: 0 });
    expect((await events(missed)).map((e) => e.type)).toEqual(['call.created']);
    expect((await events(soon)).map((e) => e.type)).toEqual(['call.created', 'call.ended']);
    clock.set('2026-04-12T10:21:00.000Z');
    const inside = (await create(1052, { startsAt: '2026-04-12T10:25:00Z', endsAt: '2026-04-12T10:26:00Z' }).expect(201)).body.callId as number;
    expect(await run()).toEqual({ ended: 0, startingSoon: 1, endingSoon: 1 });
    expect((await events(inside)).map((e) => e.type)).toEqual(['call.created', 'call.starting_soon', 'call.ending_soon']);
  });

  it('my-calls?upcoming=true: calls starting after now that the member can access, not ended, soonest first', async () => {
    clock.set('2026-04-13T08:00:00.000Z');
    const started = (await create(1060, { startsAt: '2026-04-13T08:05:00Z' }).expect(201)).body.callId as number;
    clock.set('2026-04-13T09:00:00.000Z');
    const inThree = (await create(1060, { startsAt: '2026-04-13T12:00:00Z' }).expect(201)).body.callId as number;
    const inOne = (await create(1060, { startsAt: '2026-04-13T10:00:00Z' }).expect(201)).body.callId as number;
    await createCall(t.http, 1060, { title: 'Unscheduled' });
    const cancelled = (await create(1060, { startsAt: '2026-04-13T11:00:00Z' }).expect(201)).body.callId as number;
    await t.http.post(`/api/calling/${cancelled}/end`).set(as.member(1060)).expect(200);
    const publicSoon = (await create(1061, { isPublic: true, startsAt: '2026-04-13T09:30:00Z' }).expect(201)).body.callId as number;
    const invited = (await create(1061, { startsAt: '2026-04-13T11:30:00Z' }).expect(201)).body.callId as number;
    await t.http.post(`/api/calling/${invited}/invite`).set(as.member(1061)).send({ userIds: [1060] }).expect(200);
    await create(1061, { startsAt: '2026-04-13T09:20:00Z' }).expect(201); // private, not 1060's

    const ids = async (query: string) => ((await t.http.get(`/api/calling/my-calls?${query}`).set(as.member(1060)).expect(200)).body as Array<{ id: number }>).map((row) => row.id);
    expect(await ids('upcoming=true')).toEqual([publicSoon, inOne, invited, inThree]);
    expect(await ids('upcoming=true&scope=mine')).toEqual([inOne, invited, inThree]);
    expect(await ids('upcoming=true&limit=2')).toEqual([publicSoon, inOne]);
    expect(await ids('upcoming=true&status=paused')).toEqual([]);
    const upcoming = (await t.http.get('/api/calling/my-calls?upcoming=true&limit=1').set(as.member(1060)).expect(200)).body;
    expect(upcoming).toEqual([expect.objectContaining({ id: publicSoon, starts_at: '2026-04-13T09:30:00.000Z', ends_at: null, role: null })]);
    // Without it, newest first as before (the started call is still listed there).
    const all = await ids('upcoming=false&scope=mine');
    expect(all.slice(0, 1)).toEqual([invited]);
    expect(all).toContain(started);
    for (const bad of ['maybe', '1', '']) {
      const res = await t.http.get(`/api/calling/my-calls?upcoming=${bad}`).set(as.member(1060)).expect(400);
      expect({ code: res.body.code, text: JSON.stringify(res.body) }).toEqual({ code: 'VALIDATION_FAILED', text: expect.stringContaining('upcoming must be true or false') });
    }
  });

  it('the idle timer never ends a scheduled call before it starts (idle time counts from startsAt), nor one with an endsAt', async () => {
    clock.set('2026-04-14T00:00:00.000Z');
    const plain = (await createCall(t.http, 1070, { title: 'Idle' })).callId;
    const startsLater = (await create(1070, { startsAt: '2026-04-14T02:00:00Z' }).expect(201)).body.callId as number;
    const endsLater = (await create(1070, { endsAt: '2026-04-14T23:00:00Z' }).expect(201)).body.callId as number;
    const sweep = () => t.app.get(PresenceSweeper).sweep();
    const state = async (callId: number) => {
      const call = await callRow(callId);
      return [call.status, call.endedBy, call.endedAt?.toISOString() ?? null];
    };

    clock.set('2026-04-14T01:30:00.000Z');
    await sweep();
    expect(await state(plain)).toEqual(['ended', 'system', '2026-04-14T00:00:00.000Z']);
    expect(await state(startsLater)).toEqual(['active', null, null]);
    clock.set('2026-04-14T02:59:59.000Z');
    await sweep();
    expect(await state(startsLater)).toEqual(['active', null, null]);
    clock.set('2026-04-14T03:00:01.000Z');
    await sweep();
    expect(await state(startsLater)).toEqual(['ended', 'system', '2026-04-14T02:00:00.000Z']);
    clock.set('2026-04-14T22:59:00.000Z');
    await sweep();
    expect(await state(endsLater)).toEqual(['active', null, null]);
    clock.set('2026-04-14T23:00:00.000Z');
    await run();
    expect(await state(endsLater)).toEqual(['ended', 'schedule', '2026-04-14T23:00:00.000Z']);
  });
});

describe('Scheduled calls across a restart', () => {
  it('what was sent is in the database: a new instance sends no reminder twice, and goes on from there', async () => {
    const clock = new FakeClock('2026-05-04T09:00:00.000Z');
    const file = joinPath(tmpdir(), `calling-schedule-${process.pid}-${Date.now()}.sqlite`);
    const db = usingMysql
      ? await createTestDatabase()
      : { url: `sqlite:${file}`, drop: () => Promise.all(['', '-wal', '-shm', '-journal'].map((end) => rm(`${file}${end}`, { force: true }))).then(() => undefined) };
    let first: TestApp | undefined;
    let second: TestApp | undefined;
    try {
      first = await startApp({}, db.url, clock);
      const { callId } = (await first.http.post('/api/calling/create').set(as.member(1100)).send({ title: 'Restart', startsAt: '2026-05-04T09:05:00Z', endsAt: '2026-05-04T09:08:00Z' }).expect(201)).body as { callId: number };
      expect(await first.app.get(CallSchedule).run()).toEqual({ ended: 0, startingSoon: 1, endingSoon: 0 });
      await first.app.close();
      first = undefined;

      clock.set('2026-05-04T09:00:30.000Z');
      second = await startApp({}, db.url, clock);
      const run = () => second!.app.get(CallSchedule).run();
      expect(await run()).toEqual({ ended: 0, startingSoon: 0, endingSoon: 0 });
      clock.set('2026-05-04T09:03:00.000Z');
      expect(await run()).toEqual({ ended: 0, startingSoon: 0, endingSoon: 1 });
      expect(await run()).toEqual({ ended: 0, startingSoon: 0, endingSoon: 0 });
      clock.set('2026-05-04T09:08:00.000Z');
      expect(await run()).toEqual({ ended: 1, startingSoon: 0, endingSoon: 0 });
      const types = (await second.dataSource.getRepository(CallEvent).find({ where: { callId }, order: { id: 'ASC' } })).map((e) => e.type);
      expect(types).toEqual(['call.created', 'call.starting_soon', 'call.ending_soon', 'call.ended']);
    } finally {
      await first?.app.close();
      await second?.app.close();
      await db.drop();
    }
  });
});
