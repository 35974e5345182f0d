/**
 * Direct calls with a FakeClock: ring, accept, decline, cancel, missed; each outcome an event
 * for both sides; the refusals.
 */
import { CallRing } from '../src/calls/entities/call-ring.entity';
import { Call } from '../src/calls/entities/call.entity';
import { DirectCallsService, RING_JOB } from '../src/calls/direct-calls.service';
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { JobScheduler } from '../src/jobs/job-scheduler.service';
import { createCall } from './support/calls';
import { FakeClock } from './support/clock';
import { openStream } from './support/event-stream';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

describe('direct calls', () => {
  let t: TestApp;
  const clock = new FakeClock('2026-01-05T09:00:00.000Z');
  const CALLER = 18_001;
  const CALLEE = 18_002;
  const CALLEE_OTO = 'OTO#CALL02';

  beforeAll(async () => {
    t = await startApp({}, undefined, clock);
    // Members are known to the service once they have made a request.
    await t.http.get('/api/calling/my-calls').set(as.member(CALLEE, { converse_id: CALLEE_OTO })).expect(200);
    await t.http.get('/api/calling/my-calls').set(as.member(CALLER)).expect(200);
  });
  afterAll(async () => t?.close());

  const ring = (body: object, caller = CALLER) => t.http.post('/api/calling/direct').set(as.member(caller)).send(body);
  const act = (callId: number, action: 'accept' | 'decline' | 'cancel', userId: number) => t.http.post(`/api/calling/${callId}/${action}`).set(as.member(userId));
  const eventsOf = async (callId: number) => (await t.dataSource.getRepository(CallEvent).find({ where: { callId }, order: { id: 'ASC' } })).map((e) => e.type);
  const statusOf = async (callId: number) => ({
    call: (await t.dataSource.getRepository(Call).findOneByOrFail({ id: callId })).status,
    ring: (await t.dataSource.getRepository(CallRing).findOneByOrFail({ callId })).state,
  });

  it('rings the callee: a private call for two, answered like create plus status ringing, call.ringing on their stream', async () => {
    await t.app.listen(0, '127.0.0.1');
    const base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const { ticket } = (await t.http.post('/api/calling/events/ticket').set(as.member(CALLEE)).expect(201)).body as { ticket: string };
    const stream = await openStream(base, `ticket=${ticket}`);
    try {
      const res = await ring({ callee: CALLEE_OTO, media: 'audio' }).expect(201);
      expect(res.body).toEqual({
        callId: expect.any(Number),
        channelName: expect.any(String),
        title: 'Direct call',
        description: null,
        isPublic: false,
        maxParticipants: 2,
        mode: 'conference',
        maxSpeakers: null,
        status: 'ringing',
        callee: { user_id: CALLEE, oto_number: CALLEE_OTO },
        media: 'audio',
        ringExpiresAt: '2026-01-05T09:00:45.000Z',
      });
      const ringing = await stream.next((e) => e.body.type === 'call.ringing');
      expect(ringing.body).toMatchObject({
        callId: res.body.callId,
        data: { member: { user_id: CALLEE, oto_number: CALLEE_OTO }, caller: { user_id: CALLER }, callee: { user_id: CALLEE, oto_number: CALLEE_OTO }, media: 'audio' },
      });
      expect(await statusOf(res.body.callId)).toEqual({ call: 'active', ring: 'ringing' });
      // Private: somebody else cannot join it.
      await t.http.post(`/api/calling/${res.body.callId}/join`).set(as.member(18_009)).expect(403);
    } finally {
      stream.close();
    }
  });

  it('accept is a join (the join answer); call.accepted; the ring is over', async () => {
    const { callId } = (await ring({ callee: CALLEE, media: 'video' }).expect(201)).body as { callId: number };
    await act(callId, 'accept', 18_009).expect(403).expect((res) => expect(res.body.code).toBe('NOT_THE_CALLEE'));
    const accepted = await act(callId, 'accept', CALLEE).expect(200);
    expect(accepted.body).toMatchObject({ success: true, callId, role: 'participant', media: 'video', uid: expect.any(Number), joinedAt: clock.now().toISOString() });
    expect(await statusOf(callId)).toEqual({ call: 'active', ring: 'accepted' });
    expect(await eventsOf(callId)).toEqual(['call.created', 'call.ringing', 'participant.joined', 'call.accepted']);
    await act(callId, 'accept', CALLEE).expect(409).expect((res) => expect(res.body.code).toBe('NOT_RINGING'));
    await act(callId, 'cancel', CALLER).expect(409);
    // Once answered, the call is never missed.
    clock.advance(60_000);
    await t.app.get(DirectCallsService).expireRings();
    expect(await statusOf(callId)).toEqual({ call: 'active', ring: 'accepted' });
  });

  it('decline ends the call: call.declined then call.ended', async () => {
    const { callId } = (await ring({ callee: CALLEE, media: 'audio' }).expect(201)).body as { callId: number };
    await act(callId, 'decline', CALLER).expect(403).expect((res) => expect(res.body.code).toBe('NOT_THE_CALLEE'));
    await act(callId, 'decline', CALLEE).expect(200, { success: true, callId, status: 'declined' });
    expect(await statusOf(callId)).toEqual({ call: 'ended', ring: 'declined' });
    expect(await eventsOf(callId)).toEqual(['call.created', 'call.ringing', 'call.declined', 'call.ended']);
    await act(callId, 'accept', CALLEE).expect(409);
  });

  it('cancel by the caller ends the call (closing their session if they joined): call.cancelled', async () => {
    const { callId } = (await ring({ callee: CALLEE, media: 'audio' }).expect(201)).body as { callId: number };
    await t.http.post(`/api/calling/${callId}/join`).set(as.member(CALLER)).expect(200);
    await act(callId, 'cancel', CALLEE).expect(403).expect((res) => expect(res.body.code).toBe('NOT_THE_CALLER'));
    await act(callId, 'cancel', CALLER).expect(200, { success: true, callId, status: 'cancelled' });
    expect(await statusOf(callId)).toEqual({ call: 'ended', ring: 'cancelled' });
    expect(await eventsOf(callId)).toEqual(['call.created', 'call.ringing', 'participant.joined', 'call.cancelled', 'participant.left', 'call.ended']);
    await act(callId, 'accept', CALLEE).expect(409);
  });

  it('unanswered for RING_TIMEOUT_SECONDS: missed (the job, on the clock), and the call ends', async () => {
    const { callId } = (await ring({ callee: CALLEE, media: 'audio' }).expect(201)).body as { callId: number };
    clock.advance(44_000);
    await t.app.get(JobScheduler).runOnce(RING_JOB);
    expect(await statusOf(callId)).toEqual({ call: 'active', ring: 'ringing' });
    clock.advance(1_000);
    await expect(t.app.get(JobScheduler).runOnce(RING_JOB)).resolves.toBe(true);
    expect(await statusOf(callId)).toEqual({ call: 'ended', ring: 'missed' });
    expect(await eventsOf(callId)).toEqual(['call.created', 'call.ringing', 'call.missed', 'call.ended']);
    await act(callId, 'accept', CALLEE).expect(409);
    await act(callId, 'decline', CALLEE).expect(409);
  });

  it('refuses calling yourself, an unknown or ineligible callee, a bad body, and answering a call that is not direct', async () => {
    const code = async (res: Promise<{ status: number; body: { code: string } }>) => {
      const { status, body } = await res;
      return `${status} ${body.code}`;
    };
    expect(await code(ring({ callee: CALLER, media: 'audio' }))).toBe('400 CALLEE_IS_CALLER');
    expect(await code(ring({ callee: 'OTO#NOBODY', media: 'audio' }))).toBe('404 MEMBER_NOT_FOUND');
    expect(await code(ring({ callee: 18_777, media: 'audio' }))).toBe('404 MEMBER_NOT_FOUND');
    await t.http.get('/api/health').set(as.applicant(18_003)).expect(200);
    // Known to the service (a token with no membership tier is refused, but the member is recorded first).
    await t.http.get('/api/calling/my-calls').set(as.applicant(18_003)).expect(403);
    expect(await code(ring({ callee: 18_003, media: 'audio' }))).toBe('403 CALLEE_NOT_ELIGIBLE');
    expect(await code(ring({ callee: 'someone', media: 'audio' }))).toBe('400 VALIDATION_FAILED');
    expect(await code(ring({ callee: CALLEE, media: 'smell' }))).toBe('400 VALIDATION_FAILED');
    expect(await code(ring({ callee: CALLEE }))).toBe('400 VALIDATION_FAILED');
    const plain = await createCall(t.http, CALLER, { isPublic: true });
    expect(await code(act(plain.callId, 'accept', CALLEE))).toBe('404 NOT_A_DIRECT_CALL');
    expect(await code(act(plain.callId, 'cancel', CALLER))).toBe('404 NOT_A_DIRECT_CALL');
  });
});
