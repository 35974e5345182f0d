/**
 * Stages (issue 25): calls in stage mode, stage roles in joins and tokens (token privileges read
 * from the token itself), raised hands, speakers (promotion, demotion, stepping down, the cap),
 * the Agora rules behind a demotion, events and who hears of them. The races at the speaker cap
 * on two instances are in test/races.e2e-spec.ts.
 */
import { CallEvent } from '../src/outbox/entities/call-event.entity';
import { DEV_AGORA_APP_ID } from '../src/config/agora.config';
import { createCall, join, leave, token } from './support/calls';
import { FakeClock } from './support/clock';
import { openStream, OpenStream } from './support/event-stream';
import { FakeAgora, fakeAgora } from './support/fake-agora';
import { brokenInvariants } from './support/invariants';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';
// The token parser lives beside the builders in agora-token; it has no type declarations.
const { AccessToken2, ServiceRtc } = require('agora-token/src/AccessToken2');

/** The RTC privileges a token grants, by Agora's privilege number. */
function privilegesOf(raw: string): Record<number, number> {
  const parsed = new AccessToken2();
  expect(parsed.from_string(raw)).toBe(true);
  return parsed.services[0].__privileges;
}
const JOIN_CHANNEL = ServiceRtc.kPrivilegeJoinChannel as number;
const PUBLISH_AUDIO = ServiceRtc.kPrivilegePublishAudioStream as number;
const PUBLISH_VIDEO = ServiceRtc.kPrivilegePublishVideoStream as number;
const PUBLISH_DATA = ServiceRtc.kPrivilegePublishDataStream as number;

const oto = (n: number): string => `OTO#S${String(n).padStart(5, '0')}`;
/** A member with a known OTO# number. */
const m = (n: number) => as.member(n, { converse_id: oto(n) });
const enc = (value: string): string => encodeURIComponent(value);
type Auth = { Authorization: string };

describe('Stages', () => {
  const clock = new FakeClock('2026-04-01T10:00:00.000Z');
  let agora: FakeAgora;
  let t: TestApp;
  let base: string;
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    agora = await fakeAgora();
    t = await startApp({ AGORA_CUSTOMER_ID: 'customer-id', AGORA_CUSTOMER_SECRET: 'customer-secret', AGORA_API_BASE_URL: agora.url, AGORA_TOKEN_TTL_SECONDS: '3600' }, undefined, clock);
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    expect(await brokenInvariants(t.dataSource)).toEqual({});
  });
  afterAll(async () => {
    await t?.close();
    await agora?.close();
  });

  const stage = (host: number, body: object = {}) => createCall(t.http, host, { isPublic: true, mode: 'stage', ...body }, m(host));
  const hand = (callId: number, auth: Auth, raised: unknown) => t.http.post(`/api/calling/${callId}/hand`).set(auth).send({ raised });
  const hands = (callId: number, auth: Auth, query = '') => t.http.get(`/api/calling/${callId}/hands${query}`).set(auth);
  const promote = (callId: number, member: string | number, auth: Auth) => t.http.put(`/api/calling/${callId}/speakers/${member}`).set(auth);
  const demote = (callId: number, member: string | number, auth: Auth) => t.http.delete(`/api/calling/${callId}/speakers/${member}`).set(auth);
  const assignedToken = (auth: Auth, channelName: string, extra: object = {}) => t.http.post('/api/calling/token').set(auth).send({ channelName, ...extra });
  const eventsOf = async (callId: number) =>
    (await t.dataSource.getRepository(CallEvent).find({ where: { callId }, order: { id: 'ASC' } })).map((e) => ({ type: e.type, userId: e.userId, actorId: e.actorId, data: e.data ? JSON.parse(e.data) : null }));

  describe('calls in stage mode', () => {
    let creator = 25_100;
    it('creates a stage with its speaker cap; rows say the mode, conferences null speaker fields', async () => {
      const created = await t.http.post('/api/calling/create').set(m(25_000)).send({ title: 'Town hall', mode: 'stage', maxParticipants: 10_000, isPublic: true }).expect(201);
      expect(created.body).toMatchObject({ mode: 'stage', maxSpeakers: 16, maxParticipants: 10_000 });
      const conference = await createCall(t.http, 25_000, { title: 'Team' }, m(25_000));
      const rows = (await t.http.get('/api/calling/my-calls?scope=mine').set(m(25_000)).expect(200)).body as Array<Record<string, unknown>>;
      expect(rows.find((row) => row.id === created.body.callId)).toMatchObject({ mode: 'stage', max_speakers: 16, speaker_count: 1, max_participants: 10_000, role: 'host' });
      expect(rows.find((row) => row.id === conference.callId)).toMatchObject({ mode: 'conference', max_speakers: null, speaker_count: null });
      const one = await t.http.get(`/api/calling/${created.body.callId}`).set(m(25_000)).expect(200);
      expect(one.body).toMatchObject({ mode: 'stage', max_speakers: 16, speaker_count: 1 });
      await join(t.http, created.body.callId, m(25_002)).expect(200);
      const admin = await t.http.get(`/api/calling/admin/${created.body.callId}/details`).set(as.admin(9)).expect(200);
      expect(admin.body.call).toMatchObject({ mode: 'stage', max_speakers: 16, speaker_count: 1 });
      expect(admin.body.participants).toEqual([expect.objectContaining({ user_id: 25_002, stage_role: 'listener' })]);
      const list = await t.http.get('/api/calling/admin/calls?q=Town%20hall').set(as.admin(9)).expect(200);
      expect(list.body.calls[0]).toMatchObject({ id: created.body.callId, mode: 'stage', max_speakers: 16, speaker_count: 1 });
      const small = await stage(25_000, { maxSpeakers: 1, maxParticipants: 2 });
      expect((await t.http.get(`/api/calling/${small.callId}`).set(m(25_000)).expect(200)).body).toMatchObject({ max_speakers: 1, speaker_count: 1, max_participants: 2 });
      const events = await eventsOf(created.body.callId);
      expect(events[0]).toMatchObject({ type: 'call.created', data: { mode: 'stage', max_speakers: 16, max_participants: 10_000 } });
    });

    it.each([
      [{ mode: 'webinar' }, 'mode'],
      [{ maxParticipants: 501 }, 'maxParticipants must not be greater than 500 for a conference'],
      [{ mode: 'conference', maxParticipants: 10_000 }, 'for a conference'],
      [{ mode: 'stage', maxParticipants: 10_001 }, 'maxParticipants must not be greater than 10000 for a stage'],
      [{ mode: 'stage', maxParticipants: 100_001 }, 'maxParticipants'],
      [{ mode: 'stage', maxParticipants: 1 }, 'maxParticipants'],
      [{ mode: 'stage', maxSpeakers: 0 }, 'maxSpeakers'],
      [{ mode: 'stage', maxSpeakers: 33 }, 'maxSpeakers'],
      [{ mode: 'stage', maxSpeakers: 2.5 }, 'maxSpeakers'],
      [{ maxSpeakers: 4 }, 'maxSpeakers is for stage calls only'],
      [{ mode: 'conference', maxSpeakers: 4 }, 'maxSpeakers is for stage calls only'],
    ])('refuses %p with 400 VALIDATION_FAILED, writing nothing', async (body, words) => {
      const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM calls');
      // A creator each: creating has its own rate limit.
      const res = await t.http.post('/api/calling/create').set(m((creator += 1))).send({ title: 'Bad', ...body }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body)).toContain(words);
      expect(await t.dataSource.query('SELECT COUNT(*) AS n FROM calls')).toEqual(before);
    });

    it('keeps the mode: PATCH refuses it; a stage takes caps up to STAGE_MAX_PARTICIPANTS (a conference up to 500) and a new maxSpeakers', async () => {
      const call = await stage(25_010);
      const conference = await createCall(t.http, 25_010, {}, m(25_010));
      for (const body of [{ mode: 'conference' }, { mode: 'stage' }]) {
        expect((await t.http.patch(`/api/calling/${call.callId}`).set(m(25_010)).send(body).expect(400)).body.code).toBe('VALIDATION_FAILED');
        await t.http.patch(`/api/calling/${conference.callId}`).set(m(25_010)).send(body).expect(400);
      }
      expect((await t.http.patch(`/api/calling/${call.callId}`).set(m(25_010)).send({ maxParticipants: 10_000 }).expect(200)).body).toMatchObject({ mode: 'stage', max_participants: 10_000 });
      expect((await t.http.patch(`/api/calling/${call.callId}`).set(m(25_010)).send({ maxParticipants: 10_001 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await t.http.patch(`/api/calling/${conference.callId}`).set(m(25_010)).send({ maxParticipants: 501 }).expect(400)).body.message).toContain('for a conference');
      await t.http.patch(`/api/calling/${conference.callId}`).set(m(25_010)).send({ maxParticipants: 500 }).expect(200);

      // maxSpeakers: a stage's only, never below its speakers now.
      await join(t.http, call.callId, m(25_010)).expect(200);
      await join(t.http, call.callId, m(25_011)).expect(200);
      await t.http.put(`/api/calling/${call.callId}/speakers/25011`).set(m(25_010)).expect(200);
      const below = await t.http.patch(`/api/calling/${call.callId}`).set(m(25_010)).send({ maxSpeakers: 1 }).expect(409);
      expect(below.body).toMatchObject({ code: 'CAPACITY_BELOW_LIVE', message: 'maxSpeakers 1 is below the 2 speakers of this stage now' });
      expect((await t.http.patch(`/api/calling/${call.callId}`).set(m(25_010)).send({ maxSpeakers: 2 }).expect(200)).body).toMatchObject({ max_speakers: 2, speaker_count: 2 });
      expect((await t.http.patch(`/api/calling/${call.callId}`).set(m(25_010)).send({ maxSpeakers: 33 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await t.http.patch(`/api/calling/${conference.callId}`).set(m(25_010)).send({ maxSpeakers: 4 }).expect(400)).body.message).toContain('maxSpeakers is for stage calls only');
      const updated = (await eventsOf(call.callId)).filter((e) => e.type === 'call.updated').pop();
      expect(updated?.data).toEqual({ changed: { max_speakers: 2 } });
    });

    it('joins the host and moderators as speakers and members as listeners; conferences say no stage role', async () => {
      const call = await stage(25_020);
      const host = await join(t.http, call.callId, m(25_020)).expect(200);
      expect(host.body).toMatchObject({ role: 'host', stageRole: 'speaker' });
      const listener = await join(t.http, call.callId, m(25_021)).expect(200);
      expect(listener.body).toMatchObject({ role: 'participant', stageRole: 'listener' });
      // Joining again while in answers the same.
      expect((await join(t.http, call.callId, m(25_021)).expect(200)).body.stageRole).toBe('listener');
      await t.http.put(`/api/calling/${call.callId}/members/${enc(oto(25_022))}`).set(m(25_020)).send({ role: 'moderator' }).expect(404);
      await join(t.http, call.callId, m(25_022)).expect(200);
      await t.http.put(`/api/calling/${call.callId}/members/${enc(oto(25_022))}`).set(m(25_020)).send({ role: 'moderator' }).expect(200);
      await leave(t.http, call.callId, m(25_022)).expect(200);
      expect((await join(t.http, call.callId, m(25_022)).expect(200)).body).toMatchObject({ role: 'moderator', stageRole: 'speaker' });
      const view = await t.http.get(`/api/calling/${call.callId}`).set(m(25_021)).expect(200);
      expect(view.body.speaker_count).toBe(2);
      expect(Object.fromEntries(view.body.participants.map((p: { oto_number: string; stage_role: string }) => [p.oto_number, p.stage_role]))).toEqual({
        [oto(25_020)]: 'speaker',
        [oto(25_021)]: 'listener',
        [oto(25_022)]: 'speaker',
      });

      const conference = await createCall(t.http, 25_020, { isPublic: true }, m(25_020));
      const joined = await join(t.http, conference.callId, m(25_021)).expect(200);
      expect(joined.body).not.toHaveProperty('stageRole');
    });
  });

  describe('tokens follow the stage role', () => {
    it('gives a listener a subscriber token (no publish privilege) and refuses publisher with 403 NOT_A_SPEAKER; speakers publish', async () => {
      const call = await stage(25_030);
      await join(t.http, call.callId, m(25_030)).expect(200);
      const joined = await join(t.http, call.callId, m(25_031)).expect(200);

      const byDefault = await assignedToken(m(25_031), call.channelName).expect(200);
      expect(byDefault.body).toMatchObject({ uid: joined.body.uid, role: 'subscriber' });
      expect(privilegesOf(byDefault.body.token)).toEqual({ [JOIN_CHANNEL]: 3600 });
      const asked = await token(t.http, m(25_031), call.channelName, 25_311, { role: 'subscriber' }).expect(200);
      expect(privilegesOf(asked.body.token)).toEqual({ [JOIN_CHANNEL]: 3600 });
      for (const request of [assignedToken(m(25_031), call.channelName, { role: 'publisher' }), token(t.http, m(25_031), call.channelName, 25_312, { role: 'publisher' })]) {
        const refused = await request.expect(403);
        expect(refused.body).toEqual({ statusCode: 403, error: 'Forbidden', code: 'NOT_A_SPEAKER', message: expect.stringContaining('listener') });
      }
      // A listener's token sends no kicking rule: only a demotion does.
      expect(agora.requests.filter((r) => (r.body as { cname?: string } | undefined)?.cname === call.channelName)).toEqual([]);

      const host = await assignedToken(m(25_030), call.channelName, { role: 'publisher' }).expect(200);
      expect(host.body.role).toBe('publisher');
      expect(privilegesOf(host.body.token)).toEqual({ [JOIN_CHANNEL]: 3600, [PUBLISH_AUDIO]: 3600, [PUBLISH_VIDEO]: 3600, [PUBLISH_DATA]: 3600 });
      // Someone not in the call is refused access first, whatever role they ask for.
      expect((await assignedToken(m(25_039), call.channelName, { role: 'publisher' }).expect(403)).body.code).toBe('CALL_ACCESS_DENIED');
    });
  });

  describe('hands', () => {
    it('lets listeners in the call raise and lower a hand; hosts, moderators and admins list them oldest first', async () => {
      const call = await stage(25_040);
      await join(t.http, call.callId, m(25_040)).expect(200);
      for (const n of [25_041, 25_042, 25_043]) await join(t.http, call.callId, m(n)).expect(200);
      const first = await hand(call.callId, m(25_042), true).expect(200);
      expect(first.body).toEqual({ success: true, raised: true, raised_at: clock.now().toISOString() });
      clock.advance(1000);
      await hand(call.callId, m(25_041), true).expect(200);
      clock.advance(1000);
      // Raising again keeps its time and its place.
      expect((await hand(call.callId, m(25_042), true).expect(200)).body.raised_at).toBe(first.body.raised_at);
      await hand(call.callId, m(25_043), true).expect(200);

      const listed = await hands(call.callId, m(25_040)).expect(200);
      expect(listed.body).toEqual({ total: 3, hands: [oto(25_042), oto(25_041), oto(25_043)].map((o) => ({ oto_number: o, raised_at: expect.any(String) })) });
      expect(JSON.stringify(listed.body)).not.toMatch(/user_id|real-name|example\.org/);
      expect((await hands(call.callId, m(25_040), '?limit=1').expect(200)).body).toEqual({ total: 3, hands: [{ oto_number: oto(25_042), raised_at: first.body.raised_at }] });
      await hands(call.callId, as.admin(9)).expect(200);
      expect((await hands(call.callId, m(25_041)).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');
      for (const query of ['?limit=0', '?limit=1001', '?limit=x', '?page=2']) await hands(call.callId, m(25_040), query).expect(400);

      // Lowering, and leaving, take a hand down; lowering twice is fine.
      expect((await hand(call.callId, m(25_041), false).expect(200)).body).toEqual({ success: true, raised: false, raised_at: null });
      await hand(call.callId, m(25_041), false).expect(200);
      await leave(t.http, call.callId, m(25_043)).expect(200);
      await join(t.http, call.callId, m(25_043)).expect(200);
      expect((await hands(call.callId, m(25_040)).expect(200)).body).toEqual({ total: 1, hands: [{ oto_number: oto(25_042), raised_at: first.body.raised_at }] });

      const events = (await eventsOf(call.callId)).filter((e) => e.type.startsWith('hand.'));
      expect(events.map((e) => [e.type, e.userId])).toEqual([
        ['hand.raised', 25_042],
        ['hand.raised', 25_041],
        ['hand.raised', 25_043],
        ['hand.lowered', 25_041],
      ]);
    });

    it('refuses speakers, members not in the call, conferences, ended calls and bad bodies', async () => {
      const call = await stage(25_050);
      await join(t.http, call.callId, m(25_050)).expect(200);
      expect((await hand(call.callId, m(25_050), true).expect(409)).body.code).toBe('ALREADY_A_SPEAKER');
      expect((await hand(call.callId, m(25_051), true).expect(403)).body.code).toBe('NOT_A_PARTICIPANT');
      for (const raised of ['yes', 1, null, undefined]) expect((await hand(call.callId, m(25_050), raised).expect(400)).body.code).toBe('VALIDATION_FAILED');
      await t.http.post(`/api/calling/${call.callId}/hand`).set(m(25_050)).send({ raised: true, extra: 1 }).expect(400);
      const conference = await createCall(t.http, 25_050, { isPublic: true }, m(25_050));
      await join(t.http, conference.callId, m(25_051)).expect(200);
      expect((await hand(conference.callId, m(25_051), true).expect(409)).body.code).toBe('NOT_A_STAGE');
      expect((await hands(conference.callId, m(25_050)).expect(409)).body.code).toBe('NOT_A_STAGE');
      expect((await hand(999_999, m(25_051), true).expect(404)).body.code).toBe('CALL_NOT_FOUND');
      await t.http.post(`/api/calling/${call.callId}/end`).set(m(25_050)).expect(200);
      expect((await hand(call.callId, m(25_050), false).expect(404)).body.code).toBe('CALL_ENDED');
    });
  });

  describe('speakers', () => {
    it('promotes a member in the call (hand down, publisher tokens), demotes and lets a speaker step down, with events', async () => {
      const call = await stage(25_060, { maxSpeakers: 3 });
      await join(t.http, call.callId, m(25_060)).expect(200);
      const joined = await join(t.http, call.callId, m(25_061)).expect(200);
      await join(t.http, call.callId, m(25_062)).expect(200);
      await hand(call.callId, m(25_061), true).expect(200);

      const promoted = await promote(call.callId, enc(oto(25_061)), m(25_060)).expect(200);
      expect(promoted.body).toEqual({ success: true, oto_number: oto(25_061), stageRole: 'speaker', speaker_count: 2, agoraRules: 'skipped' });
      expect((await hands(call.callId, m(25_060)).expect(200)).body.total).toBe(0);
      // Promoting a speaker again changes nothing.
      expect((await promote(call.callId, '25061', m(25_060)).expect(200)).body).toMatchObject({ stageRole: 'speaker', speaker_count: 2 });
      const publisher = await assignedToken(m(25_061), call.channelName).expect(200);
      expect(publisher.body.role).toBe('publisher');
      expect(privilegesOf(publisher.body.token)[PUBLISH_AUDIO]).toBe(3600);
      await leave(t.http, call.callId, m(25_061)).expect(200);
      expect((await join(t.http, call.callId, m(25_061)).expect(200)).body.stageRole).toBe('speaker');
      // A speaker cannot raise a hand.
      expect((await hand(call.callId, m(25_061), true).expect(409)).body.code).toBe('ALREADY_A_SPEAKER');

      // Demoted: the next token subscribes only, and kicking rules on both publish privileges cover the token held, for every uid.
      await token(t.http, m(25_061), call.channelName, 25_611).expect(200);
      let before = agora.requests.length;
      const demoted = await demote(call.callId, enc(oto(25_061)), m(25_060)).expect(200);
      expect(demoted.body).toEqual({ success: true, oto_number: oto(25_061), stageRole: 'listener', speaker_count: 1, agoraRules: 'applied' });
      const posted = agora.requests.slice(before);
      expect(posted.every((r) => r.method === 'POST' && r.url === '/dev/v1/kicking-rule')).toBe(true);
      const rule = (uid: number, privilege: string) => ({ appid: DEV_AGORA_APP_ID, cname: call.channelName, uid, time_in_seconds: 3660, privileges: [privilege] });
      expect(posted.map((r) => r.body)).toEqual(
        expect.arrayContaining([rule(joined.body.uid, 'publish_audio'), rule(joined.body.uid, 'publish_video'), rule(25_611, 'publish_audio'), rule(25_611, 'publish_video')]),
      );
      expect(posted).toHaveLength(4);
      const ruleIds = posted.map((r) => r.id);
      const after = await assignedToken(m(25_061), call.channelName).expect(200);
      expect(after.body.role).toBe('subscriber');
      expect(privilegesOf(after.body.token)).toEqual({ [JOIN_CHANNEL]: 3600 });
      expect((await assignedToken(m(25_061), call.channelName, { role: 'publisher' }).expect(403)).body.code).toBe('NOT_A_SPEAKER');
      // A new uid of a demoted member gets its rules before its token is answered.
      before = agora.requests.length;
      await token(t.http, m(25_061), call.channelName, 25_612).expect(200);
      expect(agora.requests.slice(before).map((r) => r.body)).toEqual([rule(25_612, 'publish_audio'), rule(25_612, 'publish_video')]);
      ruleIds.push(...agora.requests.slice(before).map((r) => r.id));
      // Demoting a listener changes nothing.
      expect((await demote(call.callId, '25061', m(25_060)).expect(200)).body).toMatchObject({ stageRole: 'listener', speaker_count: 1, agoraRules: 'skipped' });

      // Promoted again: every rule of the demotion goes.
      before = agora.requests.length;
      expect((await promote(call.callId, '25061', m(25_060)).expect(200)).body.agoraRules).toBe('applied');
      const deleted = agora.requests.slice(before);
      expect(deleted.every((r) => r.method === 'DELETE')).toBe(true);
      expect(deleted.map((r) => (r.body as { id: number }).id).sort()).toEqual([...ruleIds].sort());

      // Stepping down.
      const stepped = await demote(call.callId, enc(oto(25_061)), m(25_061)).expect(200);
      expect(stepped.body).toMatchObject({ stageRole: 'listener', speaker_count: 1 });
      // A listener cannot demote or promote anyone else.
      await promote(call.callId, '25061', m(25_060)).expect(200);
      expect((await demote(call.callId, '25061', m(25_062)).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');
      expect((await promote(call.callId, '25062', m(25_062)).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');

      const events = (await eventsOf(call.callId)).filter((e) => e.type.startsWith('participant.') && !['participant.joined', 'participant.left'].includes(e.type));
      expect(events).toEqual([
        { type: 'participant.promoted', userId: 25_061, actorId: 25_060, data: { reason: 'promoted' } },
        { type: 'participant.demoted', userId: 25_061, actorId: 25_060, data: { reason: 'demoted' } },
        { type: 'participant.promoted', userId: 25_061, actorId: 25_060, data: { reason: 'promoted' } },
        { type: 'participant.demoted', userId: 25_061, actorId: 25_061, data: { reason: 'stepped_down' } },
        { type: 'participant.promoted', userId: 25_061, actorId: 25_060, data: { reason: 'promoted' } },
      ]);
      const lowered = (await eventsOf(call.callId)).filter((e) => e.type === 'hand.lowered');
      expect(lowered).toEqual([{ type: 'hand.lowered', userId: 25_061, actorId: 25_060, data: { reason: 'promoted' } }]);
    });

    it('holds maxSpeakers: host, moderators and promoted members count; removal and demotion free a seat', async () => {
      const call = await stage(25_070, { maxSpeakers: 3 });
      for (const n of [25_070, 25_071, 25_072, 25_073, 25_074]) await join(t.http, call.callId, m(n)).expect(200);
      await promote(call.callId, '25071', m(25_070)).expect(200);
      await t.http.put(`/api/calling/${call.callId}/members/25072`).set(m(25_070)).send({ role: 'moderator' }).expect(200);
      // Full: neither a promotion nor a new moderator.
      const full = await promote(call.callId, '25073', m(25_072)).expect(409);
      expect(full.body).toEqual({ statusCode: 409, error: 'Conflict', code: 'SPEAKERS_FULL', message: 'This stage has its 3 speakers already' });
      expect((await t.http.put(`/api/calling/${call.callId}/members/25073`).set(m(25_070)).send({ role: 'moderator' }).expect(409)).body.code).toBe('SPEAKERS_FULL');
      expect((await t.http.get(`/api/calling/${call.callId}`).set(m(25_073)).expect(200)).body.participants.find((p: { oto_number: string }) => p.oto_number === oto(25_073)).role).toBe('participant');
      // The host and moderators are speakers by their role; a moderator made a participant stays a speaker until demoted.
      expect((await demote(call.callId, '25070', as.admin(9)).expect(409)).body.code).toBe('SPEAKER_BY_ROLE');
      expect((await demote(call.callId, '25072', m(25_072)).expect(409)).body.code).toBe('SPEAKER_BY_ROLE');
      await t.http.put(`/api/calling/${call.callId}/members/25072`).set(m(25_070)).send({ role: 'participant' }).expect(200);
      expect((await demote(call.callId, '25072', m(25_072)).expect(200)).body.speaker_count).toBe(2);
      // A removed speaker gives their seat back.
      await t.http.delete(`/api/calling/${call.callId}/participants/25071`).set(m(25_070)).expect(200);
      expect((await t.http.get(`/api/calling/${call.callId}`).set(m(25_070)).expect(200)).body.speaker_count).toBe(1);
      expect((await promote(call.callId, '25071', m(25_070)).expect(404)).body.code).toBe('NOT_A_CALL_MEMBER');
      await promote(call.callId, '25073', m(25_070)).expect(200);
      expect((await promote(call.callId, '25074', as.admin(9)).expect(200)).body.speaker_count).toBe(3);
      expect((await promote(call.callId, '25072', m(25_070)).expect(409)).body.code).toBe('SPEAKERS_FULL');
    });

    it('refuses members not in the call, unknown members, conferences and ended calls', async () => {
      const call = await stage(25_080);
      await join(t.http, call.callId, m(25_081)).expect(200);
      await leave(t.http, call.callId, m(25_081)).expect(200);
      expect((await promote(call.callId, '25081', m(25_080)).expect(409)).body.code).toBe('MEMBER_NOT_IN_CALL');
      await join(t.http, call.callId, m(25_082)).expect(200);
      expect((await promote(call.callId, '25083', m(25_080)).expect(404)).body.code).toBe('MEMBER_NOT_FOUND');
      await t.http.get('/api/calling/my-calls').set(m(25_083)).expect(200);
      expect((await promote(call.callId, '25083', m(25_080)).expect(404)).body.code).toBe('NOT_A_CALL_MEMBER');
      await promote(call.callId, 'not-a-member', m(25_080)).expect(400);
      await promote(0, '25081', m(25_080)).expect(400);
      const conference = await createCall(t.http, 25_080, { isPublic: true }, m(25_080));
      await join(t.http, conference.callId, m(25_082)).expect(200);
      expect((await promote(conference.callId, '25082', m(25_080)).expect(409)).body.code).toBe('NOT_A_STAGE');
      expect((await demote(conference.callId, '25082', m(25_080)).expect(409)).body.code).toBe('NOT_A_STAGE');
      await t.http.post(`/api/calling/${call.callId}/end`).set(m(25_080)).expect(200);
      expect((await promote(call.callId, '25082', m(25_080)).expect(404)).body.code).toBe('CALL_ENDED');
      expect((await demote(call.callId, '25082', m(25_080)).expect(404)).body.code).toBe('CALL_ENDED');
      expect((await promote(999_999, '25082', m(25_080)).expect(404)).body.code).toBe('CALL_NOT_FOUND');
    });
  });

  describe('analytics', () => {
    it('counts listeners as participants, like any member in a call', async () => {
      const report = async () => (await t.http.get('/api/calling/admin/analytics?days=1').set(as.admin(9)).expect(200)).body.summary as { totalCalls: number; totalParticipants: number; peakParticipants: number };
      const before = await report();
      const call = await stage(25_300, { maxParticipants: 5000 });
      for (const n of [25_300, 25_301, 25_302, 25_303]) await join(t.http, call.callId, m(n)).expect(200);
      const after = await report();
      expect(after.totalCalls).toBe(before.totalCalls + 1);
      expect(after.totalParticipants).toBe(before.totalParticipants + 4);
      expect(after.peakParticipants).toBeGreaterThanOrEqual(4);
    });
  });

  describe('who hears of it', () => {
    const streamOf = async (userId: number): Promise<OpenStream> => {
      const ticket = (await t.http.post('/api/calling/events/ticket').set(m(userId)).expect(201)).body.ticket as string;
      const stream = await openStream(base, `ticket=${ticket}`);
      expect(stream.status).toBe(200);
      streams.push(stream);
      return stream;
    };

    it('tells hands to the host and moderators only, promotions and demotions also to the member', async () => {
      const call = await stage(25_090);
      for (const n of [25_090, 25_091, 25_092, 25_093]) await join(t.http, call.callId, m(n)).expect(200);
      await t.http.put(`/api/calling/${call.callId}/members/25093`).set(m(25_090)).send({ role: 'moderator' }).expect(200);
      const [host, moderator, raiser, other] = await Promise.all([streamOf(25_090), streamOf(25_093), streamOf(25_091), streamOf(25_092)]);
      await hand(call.callId, m(25_091), true).expect(200);
      await promote(call.callId, '25091', m(25_090)).expect(200);
      await demote(call.callId, '25091', m(25_091)).expect(200);
      // A marker every member hears, after which nothing earlier can still be on its way.
      await t.http.patch(`/api/calling/${call.callId}`).set(m(25_090)).send({ title: 'Marker' }).expect(200);
      const types = async (stream: OpenStream) => {
        await stream.next((e) => e.body.type === 'call.updated' && e.body.callId === call.callId, 10_000);
        return stream.events.filter((e) => e.body.callId === call.callId).map((e) => e.body.type).filter((type) => !type.startsWith('participant.joined') && type !== 'participant.left');
      };
      const staffSees = ['hand.raised', 'hand.lowered', 'participant.promoted', 'participant.demoted', 'call.updated'];
      expect(await types(host)).toEqual(staffSees);
      expect(await types(moderator)).toEqual(staffSees);
      expect(await types(raiser)).toEqual(['participant.promoted', 'participant.demoted', 'call.updated']);
      expect(await types(other)).toEqual(['call.updated']);
      const raised = host.events.find((e) => e.body.type === 'hand.raised')!;
      expect(raised.body.data).toEqual({ member: { user_id: 25_091, oto_number: oto(25_091) }, by: { user_id: 25_091, oto_number: oto(25_091) } });
    });
  });
});

describe('Stages with STAGE_MAX_PARTICIPANTS set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ STAGE_MAX_PARTICIPANTS: '600' });
  });
  afterAll(async () => t?.close());

  it('caps stages at the configured number; conferences stay at 500', async () => {
    const create = (host: number, body: object) => t.http.post('/api/calling/create').set(m(host)).send({ title: 'Configured', ...body });
    expect((await create(25_200, { mode: 'stage', maxParticipants: 600 }).expect(201)).body).toMatchObject({ mode: 'stage', maxParticipants: 600 });
    const over = await create(25_201, { mode: 'stage', maxParticipants: 601 }).expect(400);
    expect(over.body).toMatchObject({ code: 'VALIDATION_FAILED', message: 'maxParticipants must not be greater than 600 for a stage (STAGE_MAX_PARTICIPANTS)' });
    expect((await create(25_202, { maxParticipants: 501 }).expect(400)).body.message).toContain('a stage, mode "stage", may hold up to 600');
  });
});
