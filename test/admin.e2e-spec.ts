import { CallMediaSegment } from '../src/calls/entities/call-media-segment.entity';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { DEV_AGORA_APP_ID } from '../src/config/agora.config';
import { createCall, join, leave, token } from './support/calls';
import { FakeClock } from './support/clock';
import { FakeAgora, fakeAgora } from './support/fake-agora';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

describe('Admin control: details, end, remove; host end; media switch', () => {
  const clock = new FakeClock('2026-02-02T10:00:00.000Z');
  let agoraStatus = 200;
  let agora: FakeAgora;
  let t: TestApp;

  beforeAll(async () => {
    agora = await fakeAgora({ kickStatus: () => agoraStatus });
    t = await startApp(
      { AGORA_CUSTOMER_ID: 'customer-id', AGORA_CUSTOMER_SECRET: 'customer-secret', AGORA_API_BASE_URL: agora.url, AGORA_TOKEN_TTL_SECONDS: '3600' },
      undefined,
      clock,
    );
  });
  afterAll(async () => {
    await t?.close();
    await agora.close();
  });

  it('details: every session by OTO# number, stats from segments, no real identity', async () => {
    clock.set('2026-02-02T10:00:00.000Z');
    const call = await createCall(t.http, 700, { title: 'Details', isPublic: true });
    await join(t.http, call.callId, as.member(700)).expect(200); // 10:00 video
    clock.set('2026-02-02T10:01:00.000Z');
    await join(t.http, call.callId, as.member(701, { converse_id: 'OTO#DET701' }), { media: 'audio' }).expect(200);
    clock.set('2026-02-02T10:04:00.000Z');
    await t.http.post(`/api/calling/${call.callId}/media`).set(as.member(700)).send({ media: 'audio' }).expect(200, { success: true, media: 'audio' });
    clock.set('2026-02-02T10:06:00.000Z');
    await leave(t.http, call.callId, as.member(701)).expect(200);
    clock.set('2026-02-02T10:07:00.000Z');
    await join(t.http, call.callId, as.member(701, { converse_id: 'OTO#DET701' })).expect(200); // second session, video
    clock.set('2026-02-02T10:10:00.000Z');
    const ended = await t.http.post(`/api/calling/admin/${call.callId}/end`).set(as.admin(9)).expect(200);
    expect(ended.body).toEqual({ success: true, message: 'Call ended successfully', endedAt: '2026-02-02T10:10:00.000Z', agoraKick: 'applied' });

    const res = await t.http.get(`/api/calling/admin/${call.callId}/details`).set(as.admin(9)).expect(200);
    expect(res.body.call).toEqual({
      id: call.callId,
      title: 'Details',
      description: null,
      channel_name: call.channelName,
      creator_id: 700,
      is_public: true,
      max_participants: 50,
      status: 'ended',
      created_at: '2026-02-02T10:00:00.000Z',
      ended_at: '2026-02-02T10:10:00.000Z',
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
    expect(res.body.participants).toEqual([
      expect.objectContaining({ user_id: 700, role: 'host', joined_at: '2026-02-02T10:00:00.000Z', left_at: '2026-02-02T10:10:00.000Z', duration_seconds: 600, leave_reason: 'call_ended' }),
      { user_id: 701, oto_number: 'OTO#DET701', role: 'participant', joined_at: '2026-02-02T10:01:00.000Z', left_at: '2026-02-02T10:06:00.000Z', duration_seconds: 300, media: 'audio', leave_reason: 'left', stage_role: null },
      expect.objectContaining({ user_id: 701, joined_at: '2026-02-02T10:07:00.000Z', left_at: '2026-02-02T10:10:00.000Z', duration_seconds: 180, media: 'video' }),
    ]);
    expect(res.body.participants[0].oto_number).toMatch(/^OTO#[A-Z0-9]{6}$/);
    // Audio: host 10:04-10:10 (6 min) + 701 10:01-10:06 (5 min). Video: host 10:00-10:04 (4) + 701 10:07-10:10 (3).
    expect(res.body.stats).toEqual({ total_participants: 2, peak_participants: 2, total_duration_seconds: 600, audio_minutes_consumed: 11, video_minutes_consumed: 7 });
    expect(JSON.stringify(res.body)).not.toMatch(/real-name|example\.org/);
    expect(await t.dataSource.getRepository(CallMediaSegment).countBy({ callId: call.callId })).toBe(4);

    await t.http.get('/api/calling/admin/999999/details').set(as.admin(9)).expect(404);
    await t.http.get('/api/calling/admin/abc/details').set(as.admin(9)).expect(400);
    await t.http.get(`/api/calling/admin/${call.callId}/details`).set(as.member(700)).expect(403);
  });

  it('end: closes every session, refuses joins and tokens after, 409 the second time, kicks the channel', async () => {
    clock.set('2026-02-03T09:00:00.000Z');
    const call = await createCall(t.http, 710, { isPublic: true });
    await join(t.http, call.callId, as.member(710)).expect(200);
    await join(t.http, call.callId, as.member(711)).expect(200);
    await token(t.http, as.member(711), call.channelName, 5).expect(200);
    const before = agora.requests.length;
    clock.set('2026-02-03T09:30:00.000Z');
    await t.http.post(`/api/calling/admin/${call.callId}/end`).set(as.admin(9)).expect(200);
    expect(agora.requests.slice(before)).toEqual([
      {
        method: 'POST',
        url: '/dev/v1/kicking-rule',
        authorization: `Basic ${Buffer.from('customer-id:customer-secret').toString('base64')}`,
        body: { appid: DEV_AGORA_APP_ID, cname: call.channelName, time_in_seconds: 3660, privileges: ['join_channel'] },
        id: expect.any(Number),
      },
    ]);
    const open = await t.dataSource.getRepository(CallSession).countBy({ callId: call.callId, open: 1 });
    expect(open).toBe(0);
    const conflict = await t.http.post(`/api/calling/admin/${call.callId}/end`).set(as.admin(9)).expect(409);
    expect(conflict.body.code).toBe('CALL_ALREADY_ENDED');
    await join(t.http, call.callId, as.member(712)).expect(404);
    await token(t.http, as.member(711), call.channelName, 5).expect(403);
    await t.http.post('/api/calling/admin/999999/end').set(as.admin(9)).expect(404);
    const view = await t.http.get(`/api/calling/${call.callId}`).set(as.member(710)).expect(200);
    expect(view.body).toMatchObject({ status: 'ended', participant_count: 0, participants: [] });
  });

  it('host end: the host may end their call, other members may not', async () => {
    const call = await createCall(t.http, 720, { isPublic: true });
    await join(t.http, call.callId, as.member(721)).expect(200);
    const denied = await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(721)).expect(403);
    expect(denied.body.code).toBe('NOT_CALL_HOST');
    const res = await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(720)).expect(200);
    expect(res.body).toMatchObject({ success: true, message: 'Call ended successfully' });
    await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(720)).expect(409);
    await t.http.post('/api/calling/999999/end').set(as.member(720)).expect(404);
  });

  it('remove: closes the session, refuses rejoin and token, kicks the bound uids', async () => {
    clock.set('2026-02-04T12:00:00.000Z');
    const call = await createCall(t.http, 730, { isPublic: true });
    const joined = await join(t.http, call.callId, as.member(731)).expect(200);
    await token(t.http, as.member(731), call.channelName, 31).expect(200);
    await token(t.http, as.member(731), call.channelName, 32).expect(200);
    const before = agora.requests.length;
    clock.set('2026-02-04T12:05:00.000Z');
    const res = await t.http.delete(`/api/calling/admin/${call.callId}/participants/731`).set(as.admin(9)).expect(200);
    expect(res.body).toEqual({ success: true, message: 'Participant removed from call', agoraKick: 'applied' });
    const kicked = agora.requests.slice(before).map((r) => r.body as { uid: number; cname: string });
    // The uid assigned at join and the two the client picked.
    expect(kicked.map((b) => b.uid).sort((x, y) => x - y)).toEqual([31, 32, joined.body.uid]);
    expect(kicked.every((b) => b.cname === call.channelName)).toBe(true);

    const session = await t.dataSource.getRepository(CallSession).findOneByOrFail({ callId: call.callId, userId: 731 });
    expect(session).toMatchObject({ open: null, leaveReason: 'removed', durationSeconds: 300 });
    const rejoin = await join(t.http, call.callId, as.member(731)).expect(403);
    expect(rejoin.body.code).toBe('PARTICIPANT_REMOVED');
    await token(t.http, as.member(731), call.channelName, 31).expect(403);
    // Removing again is harmless; removing someone who never took part is 404.
    await t.http.delete(`/api/calling/admin/${call.callId}/participants/731`).set(as.admin(9)).expect(200);
    const never = await t.http.delete(`/api/calling/admin/${call.callId}/participants/739`).set(as.admin(9)).expect(404);
    expect(never.body.code).toBe('PARTICIPANT_NOT_FOUND');
    await t.http.delete(`/api/calling/admin/999999/participants/731`).set(as.admin(9)).expect(404);
    await t.http.delete(`/api/calling/admin/${call.callId}/participants/abc`).set(as.admin(9)).expect(400);
    await t.http.delete(`/api/calling/admin/${call.callId}/participants/731`).set(as.member(730)).expect(403);
  });

  it('removal stands when Agora fails, and says so', async () => {
    const call = await createCall(t.http, 740, { isPublic: true });
    await join(t.http, call.callId, as.member(741)).expect(200);
    await token(t.http, as.member(741), call.channelName, 41).expect(200);
    agoraStatus = 500;
    try {
      const res = await t.http.delete(`/api/calling/admin/${call.callId}/participants/741`).set(as.admin(9)).expect(200);
      expect(res.body.agoraKick).toBe('failed');
    } finally {
      agoraStatus = 200;
    }
    await join(t.http, call.callId, as.member(741)).expect(403);
  });

  it('a member who joined but never asked for a token is kicked by the uid assigned at join', async () => {
    const call = await createCall(t.http, 750, { isPublic: true });
    const joined = await join(t.http, call.callId, as.member(751)).expect(200);
    const before = agora.requests.length;
    const res = await t.http.delete(`/api/calling/admin/${call.callId}/participants/751`).set(as.admin(9)).expect(200);
    expect(res.body.agoraKick).toBe('applied');
    expect(agora.requests.slice(before).map((r) => (r.body as { uid: number }).uid)).toEqual([joined.body.uid]);
  });

  it('media switch needs an open session and a valid medium', async () => {
    const call = await createCall(t.http, 760, { isPublic: true });
    const notIn = await t.http.post(`/api/calling/${call.callId}/media`).set(as.member(761)).send({ media: 'audio' }).expect(403);
    expect(notIn.body.code).toBe('NOT_A_PARTICIPANT');
    await join(t.http, call.callId, as.member(761)).expect(200);
    await t.http.post(`/api/calling/${call.callId}/media`).set(as.member(761)).send({ media: 'screen' }).expect(400);
    await t.http.post(`/api/calling/${call.callId}/media`).set(as.member(761)).send({}).expect(400);
    await t.http.post(`/api/calling/${call.callId}/media`).set(as.member(761)).send({ media: 'video' }).expect(200);
    expect(await t.dataSource.getRepository(CallMediaSegment).countBy({ callId: call.callId })).toBe(1);
    await t.http.post('/api/calling/999999/media').set(as.member(761)).send({ media: 'audio' }).expect(404);
  });
});

describe('Admin control without Agora credentials', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(async () => t?.close());

  it('ends and removes, reporting the kick as skipped', async () => {
    const call = await createCall(t.http, 800, { isPublic: true });
    await join(t.http, call.callId, as.member(801)).expect(200);
    await token(t.http, as.member(801), call.channelName, 1).expect(200);
    const removed = await t.http.delete(`/api/calling/admin/${call.callId}/participants/801`).set(as.superAdmin(9)).expect(200);
    expect(removed.body.agoraKick).toBe('skipped');
    const ended = await t.http.post(`/api/calling/admin/${call.callId}/end`).set(as.superAdmin(9)).expect(200);
    expect(ended.body.agoraKick).toBe('skipped');
  });
});
