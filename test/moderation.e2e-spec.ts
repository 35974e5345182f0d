/**
 * Calls that hosts run (issue 13): pause and resume, edit, moderators, removal and mute, with
 * who may do what; discovery in my-calls; uids assigned at join.
 */
import { deriveUidKey, uidCandidates } from '../src/calls/assigned-uids.service';
import { TokensRepository } from '../src/tokens/tokens.repository';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { DEV_JWT_SECRET } from '../src/config/auth.config';
import { DEV_AGORA_APP_ID } from '../src/config/agora.config';
import { PresenceSweeper } from '../src/presence/presence-sweeper.service';
import { UidBinding } from '../src/calls/entities/uid-binding.entity';
import { createCall, join, leave, token } from './support/calls';
import { FakeClock } from './support/clock';
import { FakeAgora, fakeAgora } from './support/fake-agora';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';
// The token parser lives beside the builders in agora-token; it has no type declarations.
const { AccessToken2, ServiceRtc } = require('agora-token/src/AccessToken2');

/** The RTC privileges a token grants, by Agora's privilege number, and its lifetime. */
function grants(raw: string): { expire: number; privileges: Record<number, number> } {
  const parsed = new AccessToken2();
  expect(parsed.from_string(raw)).toBe(true);
  return { expire: parsed.expire, privileges: parsed.services[0].__privileges };
}
const JOIN_CHANNEL = ServiceRtc.kPrivilegeJoinChannel as number;
const PUBLISH_AUDIO = ServiceRtc.kPrivilegePublishAudioStream as number;
const PUBLISH_VIDEO = ServiceRtc.kPrivilegePublishVideoStream as number;

const oto = (n: number): string => `OTO#M${String(n).padStart(5, '0')}`;
/** A member with a known OTO# number. */
const m = (n: number) => as.member(n, { converse_id: oto(n) });
const enc = (value: string): string => encodeURIComponent(value);

describe('Calls that hosts run', () => {
  const clock = new FakeClock('2026-03-02T10:00:00.000Z');
  let agoraStatus = 200;
  let agora: FakeAgora;
  let t: TestApp;

  beforeAll(async () => {
    agora = await fakeAgora({ kickStatus: () => agoraStatus });
    t = await startApp({ AGORA_CUSTOMER_ID: 'customer-id', AGORA_CUSTOMER_SECRET: 'customer-secret', AGORA_API_BASE_URL: agora.url, AGORA_TOKEN_TTL_SECONDS: '3600' }, undefined, clock);
  });
  afterAll(async () => {
    await t?.close();
    await agora.close();
  });

  const pause = (callId: number, auth: { Authorization: string }) => t.http.post(`/api/calling/${callId}/pause`).set(auth);
  const resume = (callId: number, auth: { Authorization: string }) => t.http.post(`/api/calling/${callId}/resume`).set(auth);
  const setRole = (callId: number, member: string, role: string, auth: { Authorization: string }) => t.http.put(`/api/calling/${callId}/members/${member}`).set(auth).send({ role });
  const remove = (callId: number, member: string, auth: { Authorization: string }) => t.http.delete(`/api/calling/${callId}/participants/${member}`).set(auth);
  const mute = (callId: number, member: string, body: object, auth: { Authorization: string }) => t.http.post(`/api/calling/${callId}/participants/${member}/mute`).set(auth).send(body);

  describe('pause and resume', () => {
    it('keeps members in (tokens, heartbeats, media) and admits nobody new until resumed', async () => {
      const call = await createCall(t.http, 1000, { isPublic: true }, m(1000));
      await join(t.http, call.callId, m(1001)).expect(200);
      await join(t.http, call.callId, m(1003)).expect(200);
      await leave(t.http, call.callId, m(1003)).expect(200);

      const paused = await pause(call.callId, m(1000)).expect(200);
      expect(paused.body).toEqual(expect.objectContaining({ id: call.callId, status: 'paused', role: 'host', participant_count: 1, channel_name: call.channelName }));
      expect(Object.keys(paused.body).sort()).toEqual(['channel_name', 'created_at', 'creator_id', 'description', 'encryption', 'ends_at', 'id', 'is_public', 'lobby', 'max_participants', 'max_speakers', 'mode', 'participant_count', 'role', 'speaker_count', 'starts_at', 'status', 'title', 'wait_for_host']);
      // Pausing a paused call changes nothing.
      expect((await pause(call.callId, m(1000)).expect(200)).body).toEqual(paused.body);

      await token(t.http, m(1001), call.channelName, 5).expect(200);
      await t.http.post('/api/calling/token').set(m(1001)).send({ channelName: call.channelName }).expect(200);
      await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(m(1001)).expect(200);
      await t.http.post(`/api/calling/${call.callId}/media`).set(m(1001)).send({ media: 'audio' }).expect(200);
      // Joining again while in is the same answer as before.
      await join(t.http, call.callId, m(1001)).expect(200);

      const refused = await join(t.http, call.callId, m(1002)).expect(409);
      expect(refused.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'The call is paused: nobody new can join until it resumes', code: 'CALL_PAUSED' });
      expect((await join(t.http, call.callId, m(1003)).expect(409)).body.code).toBe('CALL_PAUSED');
      expect((await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(m(1003)).expect(409)).body.code).toBe('CALL_PAUSED');
      await token(t.http, m(1003), call.channelName, 6).expect(403);

      const listed = await t.http.get('/api/calling/my-calls?status=paused').set(m(1002)).expect(200);
      expect(listed.body.map((row: { id: number }) => row.id)).toContain(call.callId);

      const resumed = await resume(call.callId, m(1000)).expect(200);
      expect(resumed.body.status).toBe('active');
      await resume(call.callId, m(1000)).expect(200);
      await join(t.http, call.callId, m(1002)).expect(200);
    });

    it('is for the host, moderators and admins; an ended call is 404', async () => {
      const call = await createCall(t.http, 1010, { isPublic: true }, m(1010));
      await join(t.http, call.callId, m(1011)).expect(200);
      const denied = await pause(call.callId, m(1011)).expect(403);
      expect(denied.body.code).toBe('NOT_CALL_MODERATOR');
      await pause(call.callId, m(1099)).expect(403);
      await setRole(call.callId, enc(oto(1011)), 'moderator', m(1010)).expect(200);
      await pause(call.callId, m(1011)).expect(200);
      const byAdmin = await resume(call.callId, as.admin(9)).expect(200);
      expect(byAdmin.body).toMatchObject({ status: 'active', role: null });

      await t.http.post(`/api/calling/${call.callId}/end`).set(m(1010)).expect(200);
      expect((await pause(call.callId, m(1010)).expect(404)).body.code).toBe('CALL_ENDED');
      await resume(call.callId, m(1010)).expect(404);
      expect((await pause(999999, m(1010)).expect(404)).body.code).toBe('CALL_NOT_FOUND');
      await pause(0, m(1010)).expect(400);
    });

    it('the idle timer ends an empty paused call, never one with participants in it', async () => {
      clock.set('2026-03-03T08:00:00.000Z');
      const occupied = await createCall(t.http, 1020, { isPublic: true }, m(1020));
      await join(t.http, occupied.callId, m(1021)).expect(200);
      await pause(occupied.callId, m(1020)).expect(200);
      const empty = await createCall(t.http, 1020, { isPublic: true }, m(1020));
      await pause(empty.callId, m(1020)).expect(200);
      clock.set('2026-03-03T09:30:00.000Z'); // past the 60-minute idle timeout, within the token lifetime
      await t.app.get(PresenceSweeper).sweep();
      const statusOf = async (id: number) => (await t.dataSource.getRepository(Call).findOneByOrFail({ id })).status;
      expect(await statusOf(occupied.callId)).toBe('paused');
      expect(await statusOf(empty.callId)).toBe('ended');
      clock.set('2026-03-02T10:00:00.000Z');
    });
  });

  describe('PATCH /api/calling/:callId', () => {
    it('edits any of title, description, isPublic, maxParticipants, validated as on create', async () => {
      const call = await createCall(t.http, 1100, { title: 'Before', description: 'old', maxParticipants: 10 }, m(1100));
      const res = await t.http.patch(`/api/calling/${call.callId}`).set(m(1100)).send({ title: '  After  ', isPublic: true, maxParticipants: 12 }).expect(200);
      expect(res.body).toMatchObject({ id: call.callId, title: 'After', description: 'old', is_public: true, max_participants: 12, role: 'host', status: 'active' });
      const cleared = await t.http.patch(`/api/calling/${call.callId}`).set(m(1100)).send({ description: null }).expect(200);
      expect(cleared.body).toMatchObject({ title: 'After', description: null, max_participants: 12 });
      expect(await t.dataSource.getRepository(Call).findOneByOrFail({ id: call.callId })).toMatchObject({ title: 'After', description: null, isPublic: true, maxParticipants: 12 });
      for (const body of [{ title: '' }, { title: 'x'.repeat(201) }, { maxParticipants: 1 }, { maxParticipants: 501 }, { maxParticipants: '5' }, { isPublic: 'yes' }, { hostId: 3 }, { status: 'ended' }]) {
        const bad = await t.http.patch(`/api/calling/${call.callId}`).set(m(1100)).send(body).expect(400);
        expect(bad.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('refuses a cap below the live head count, non-moderators and ended calls', async () => {
      const call = await createCall(t.http, 1110, { isPublic: true }, m(1110));
      for (const n of [1110, 1111, 1112]) await join(t.http, call.callId, m(n)).expect(200);
      const below = await t.http.patch(`/api/calling/${call.callId}`).set(m(1110)).send({ maxParticipants: 2 }).expect(409);
      expect(below.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'maxParticipants 2 is below the 3 members in the call now', code: 'CAPACITY_BELOW_LIVE' });
      await t.http.patch(`/api/calling/${call.callId}`).set(m(1110)).send({ maxParticipants: 3 }).expect(200);
      expect((await join(t.http, call.callId, m(1113)).expect(400)).body.code).toBe('CALL_FULL');
      expect((await t.http.patch(`/api/calling/${call.callId}`).set(m(1111)).send({ title: 'x' }).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');
      await setRole(call.callId, '1111', 'moderator', m(1110)).expect(200);
      await t.http.patch(`/api/calling/${call.callId}`).set(m(1111)).send({ title: 'By the moderator' }).expect(200);
      await t.http.patch(`/api/calling/${call.callId}`).set(as.admin(9)).send({ title: 'By an admin' }).expect(200);
      await t.http.post(`/api/calling/${call.callId}/end`).set(m(1110)).expect(200);
      expect((await t.http.patch(`/api/calling/${call.callId}`).set(m(1110)).send({ title: 'late' }).expect(404)).body.code).toBe('CALL_ENDED');
    });
  });

  describe('PUT /api/calling/:callId/members/:member', () => {
    it('lets the host make a member a moderator and back, by OTO# number or user id', async () => {
      const call = await createCall(t.http, 1200, { isPublic: true }, m(1200));
      await join(t.http, call.callId, m(1201)).expect(200);
      const made = await setRole(call.callId, 'OTO%23M01201', 'moderator', m(1200)).expect(200);
      expect(made.body).toEqual({ success: true, oto_number: 'OTO#M01201', role: 'moderator' });
      await join(t.http, call.callId, m(1200)).expect(200);
      const view = await t.http.get(`/api/calling/${call.callId}`).set(m(1200)).expect(200);
      // Both joined at the same (fake) instant: compare in OTO# order.
      expect(view.body.participants.map((p: { oto_number: string; role: string }) => [p.oto_number, p.role]).sort()).toEqual([
        ['OTO#M01200', 'host'],
        ['OTO#M01201', 'moderator'],
      ]);
      await setRole(call.callId, '1201', 'participant', m(1200)).expect(200, { success: true, oto_number: 'OTO#M01201', role: 'participant' });
      await setRole(call.callId, '1201', 'moderator', as.admin(9)).expect(200);
    });

    it('refuses non-hosts, the host itself, non-members, unknown and malformed members', async () => {
      const call = await createCall(t.http, 1210, { isPublic: true }, m(1210));
      await join(t.http, call.callId, m(1211)).expect(200);
      await join(t.http, call.callId, m(1212)).expect(200);
      await setRole(call.callId, '1211', 'moderator', m(1210)).expect(200);
      expect((await setRole(call.callId, '1212', 'moderator', m(1211)).expect(403)).body.code).toBe('NOT_CALL_HOST');
      expect((await setRole(call.callId, enc(oto(1210)), 'participant', m(1210)).expect(409)).body.code).toBe('HOST_ROLE_FIXED');
      await t.http.get('/api/calling/preferences').set(m(1219)).expect(200); // known to the service, not in the call
      expect((await setRole(call.callId, '1219', 'moderator', m(1210)).expect(404)).body.code).toBe('NOT_A_CALL_MEMBER');
      expect((await setRole(call.callId, enc('OTO#ZZZZZZ'), 'moderator', m(1210)).expect(404)).body.code).toBe('MEMBER_NOT_FOUND');
      expect((await setRole(call.callId, '987654321', 'moderator', m(1210)).expect(404)).body.code).toBe('MEMBER_NOT_FOUND');
      for (const bad of [enc('OTO#abc123'), enc('OTO#K7Q2Z'), 'OTO', '0', '-4', '1.5', '99999999999', 'abc']) {
        const res = await setRole(call.callId, bad, 'moderator', m(1210)).expect(400);
        expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('member must be an OTO# number') });
      }
      await setRole(call.callId, '1212', 'host', m(1210)).expect(400);
      await setRole(call.callId, '1212', 'moderator', m(1210)).expect(200);
      // A removed member is no longer a member.
      await t.http.delete(`/api/calling/admin/${call.callId}/participants/1212`).set(as.admin(9)).expect(200);
      expect((await setRole(call.callId, '1212', 'participant', m(1210)).expect(404)).body.code).toBe('NOT_A_CALL_MEMBER');
    });
  });

  describe('DELETE /api/calling/:callId/participants/:member', () => {
    it('moderators remove participants; only hosts and admins remove moderators; nobody removes the host or themselves', async () => {
      const call = await createCall(t.http, 1300, { isPublic: true }, m(1300));
      for (const n of [1300, 1301, 1302, 1303, 1304]) await join(t.http, call.callId, m(n)).expect(200);
      await setRole(call.callId, '1301', 'moderator', m(1300)).expect(200);
      await setRole(call.callId, '1302', 'moderator', m(1300)).expect(200);

      expect((await remove(call.callId, '1304', m(1303)).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');
      expect((await remove(call.callId, enc(oto(1300)), m(1301)).expect(403)).body).toMatchObject({ code: 'ACTION_NOT_ALLOWED', message: 'A moderator cannot remove the host or another moderator' });
      expect((await remove(call.callId, '1302', m(1301)).expect(403)).body.code).toBe('ACTION_NOT_ALLOWED');
      expect((await remove(call.callId, '1301', m(1301)).expect(403)).body.code).toBe('ACTION_NOT_ALLOWED');
      expect((await remove(call.callId, '1300', m(1300)).expect(403)).body.code).toBe('ACTION_NOT_ALLOWED');

      const joined = await join(t.http, call.callId, m(1303)).expect(200);
      const removed = await remove(call.callId, enc(oto(1303)), m(1301)).expect(200);
      expect(removed.body).toEqual({ success: true, message: 'Participant removed from call', agoraKick: 'applied' });
      expect(agora.requests.at(-1)?.body).toEqual({ appid: DEV_AGORA_APP_ID, cname: call.channelName, uid: joined.body.uid, time_in_seconds: 3660, privileges: ['join_channel'] });
      expect((await join(t.http, call.callId, m(1303)).expect(403)).body.code).toBe('PARTICIPANT_REMOVED');
      await token(t.http, m(1303), call.channelName, 44).expect(403);
      await t.http.post('/api/calling/token').set(m(1303)).send({ channelName: call.channelName }).expect(403);
      expect(await t.dataSource.getRepository(CallSession).countBy({ callId: call.callId, userId: 1303, open: 1 })).toBe(0);

      await remove(call.callId, '1302', m(1300)).expect(200);
      await remove(call.callId, '1304', as.admin(9)).expect(200);
      await t.http.get('/api/calling/preferences').set(m(1309)).expect(200);
      expect((await remove(call.callId, '1309', m(1300)).expect(404)).body.code).toBe('PARTICIPANT_NOT_FOUND');
      expect((await remove(call.callId, enc('OTO#ZZZZZ9'), m(1300)).expect(404)).body.code).toBe('MEMBER_NOT_FOUND');
      expect((await remove(999999, '1301', m(1300)).expect(404)).body.code).toBe('CALL_NOT_FOUND');
      await remove(call.callId, 'nobody', m(1300)).expect(400);
    });
  });

  describe('POST /api/calling/:callId/participants/:member/mute', () => {
    it('mutes and unmutes with kicking rules for every uid of the member, and shows the flags', async () => {
      const call = await createCall(t.http, 1400, { isPublic: true }, m(1400));
      await join(t.http, call.callId, m(1400)).expect(200);
      const joined = await join(t.http, call.callId, m(1401)).expect(200);
      await token(t.http, m(1401), call.channelName, 4141).expect(200);
      const uids = [joined.body.uid, 4141].sort((x, y) => x - y);

      let before = agora.requests.length;
      const muted = await mute(call.callId, enc(oto(1401)), { audio: true }, m(1400)).expect(200);
      expect(muted.body).toEqual({ success: true, oto_number: oto(1401), muted: { audio: true, video: false }, agoraMute: 'applied' });
      const posted = agora.requests.slice(before);
      expect(posted.map((r) => [r.method, r.url])).toEqual([
        ['POST', '/dev/v1/kicking-rule'],
        ['POST', '/dev/v1/kicking-rule'],
      ]);
      expect(posted.map((r) => r.body).sort((x, y) => (x as { uid: number }).uid - (y as { uid: number }).uid)).toEqual(
        uids.map((uid) => ({ appid: DEV_AGORA_APP_ID, cname: call.channelName, uid, time_in_seconds: 3660, privileges: ['publish_audio'] })),
      );
      const view = await t.http.get(`/api/calling/${call.callId}`).set(m(1400)).expect(200);
      expect(view.body.participants.find((p: { oto_number: string }) => p.oto_number === oto(1401))).toMatchObject({ role: 'participant', muted: { audio: true, video: false } });

      // Muting again sends nothing: the rules are in place.
      before = agora.requests.length;
      expect((await mute(call.callId, '1401', { audio: true }, m(1400)).expect(200)).body.agoraMute).toBe('skipped');
      expect(agora.requests.length).toBe(before);

      // Video too, then audio off: only the audio rules are deleted, by the ids Agora gave them.
      await mute(call.callId, '1401', { video: true }, m(1400)).expect(200);
      const audioRuleIds = posted.map((r) => r.id);
      before = agora.requests.length;
      const unmuted = await mute(call.callId, '1401', { audio: false }, m(1400)).expect(200);
      expect(unmuted.body).toMatchObject({ muted: { audio: false, video: true }, agoraMute: 'applied' });
      const deleted = agora.requests.slice(before);
      expect(deleted.every((r) => r.method === 'DELETE' && r.url === '/dev/v1/kicking-rule')).toBe(true);
      expect(deleted.map((r) => r.body)).toEqual(expect.arrayContaining(audioRuleIds.map((id) => ({ appid: DEV_AGORA_APP_ID, id }))));
      expect(deleted).toHaveLength(2);
      expect(deleted.map((r) => Object.keys(r.body as object).sort())).toEqual([
        ['appid', 'id'],
        ['appid', 'id'],
      ]);
      const after = await t.http.get(`/api/calling/${call.callId}`).set(m(1401)).expect(200);
      expect(after.body.participants.find((p: { oto_number: string }) => p.oto_number === oto(1401)).muted).toEqual({ audio: false, video: true });
    });

    it('reports failed when Agora refuses, and asking again retries', async () => {
      const call = await createCall(t.http, 1410, { isPublic: true }, m(1410));
      await join(t.http, call.callId, m(1411)).expect(200);
      agoraStatus = 500;
      try {
        const failed = await mute(call.callId, '1411', { video: true }, m(1410)).expect(200);
        expect(failed.body).toMatchObject({ muted: { audio: false, video: true }, agoraMute: 'failed' });
      } finally {
        agoraStatus = 200;
      }
      const before = agora.requests.length;
      expect((await mute(call.callId, '1411', { video: true }, m(1410)).expect(200)).body.agoraMute).toBe('applied');
      expect(agora.requests.slice(before).map((r) => (r.body as { privileges: string[] }).privileges)).toEqual([['publish_video']]);
    });

    /** Issue 21, section 4: a mute cannot be escaped with a new uid, nor outlived by a renewal. */
    it("gives a muted member's new uid its rule before the token is answered, and no token lets them publish the muted medium", async () => {
      clock.set('2026-03-05T09:00:00.000Z');
      try {
        const call = await createCall(t.http, 1440, { isPublic: true }, m(1440));
        const joined = await join(t.http, call.callId, m(1441)).expect(200);
        await token(t.http, m(1441), call.channelName, 4401).expect(200);
        await mute(call.callId, '1441', { audio: true }, m(1440)).expect(200);
        const rule = (uid: number) => ({ appid: DEV_AGORA_APP_ID, cname: call.channelName, uid, time_in_seconds: 3660, privileges: ['publish_audio'] });

        // A uid never used before: its rule is posted before the token is answered.
        let before = agora.requests.length;
        const fresh = await token(t.http, m(1441), call.channelName, 4402).expect(200);
        expect(agora.requests.slice(before).map((r) => [r.method, r.body])).toEqual([['POST', rule(4402)]]);
        const granted = grants(fresh.body.token);
        expect(granted.privileges[PUBLISH_AUDIO]).toBeUndefined();
        expect(granted.privileges[PUBLISH_VIDEO]).toBe(3600);
        expect(granted.privileges[JOIN_CHANNEL]).toBe(3600);

        // A subscriber token for another new uid too (without co-host authentication it can publish).
        before = agora.requests.length;
        const subscriber = await token(t.http, m(1441), call.channelName, 4403, { role: 'subscriber' }).expect(200);
        expect(agora.requests.slice(before).map((r) => [r.method, r.body])).toEqual([['POST', rule(4403)]]);
        expect(grants(subscriber.body.token).privileges[PUBLISH_AUDIO]).toBeUndefined();

        // Renewing a uid whose rule covers the new token's lifetime sends nothing.
        before = agora.requests.length;
        const assigned = await t.http.post('/api/calling/token').set(m(1441)).send({ channelName: call.channelName }).expect(200);
        expect(assigned.body.uid).toBe(joined.body.uid);
        expect(grants(assigned.body.token).privileges[PUBLISH_AUDIO]).toBeUndefined();
        expect(agora.requests.length).toBe(before);

        // Unmuting removes every rule made for the mute: the four uids' rules, by their ids.
        const ruleIds = agora.requests.filter((r) => r.method === 'POST' && (r.body as { cname: string }).cname === call.channelName).map((r) => r.id);
        expect(ruleIds).toHaveLength(4);
        before = agora.requests.length;
        expect((await mute(call.callId, '1441', { audio: false }, m(1440)).expect(200)).body.agoraMute).toBe('applied');
        const deleted = agora.requests.slice(before);
        expect(deleted.every((r) => r.method === 'DELETE')).toBe(true);
        expect(deleted.map((r) => (r.body as { id: number }).id).sort()).toEqual([...ruleIds].sort());

        // Unmuted: a new uid gets a full token and no rule.
        before = agora.requests.length;
        const free = await token(t.http, m(1441), call.channelName, 4404).expect(200);
        expect(grants(free.body.token).privileges[PUBLISH_AUDIO]).toBe(3600);
        expect(agora.requests.length).toBe(before);
      } finally {
        clock.set('2026-03-02T10:00:00.000Z');
      }
    });

    it('keeps the rules ahead of every renewal: a token that would outlive the rule in force gets a new rule first, and the old one goes', async () => {
      clock.set('2026-03-05T10:00:00.000Z');
      try {
        const call = await createCall(t.http, 1450, { isPublic: true }, m(1450));
        const joined = await join(t.http, call.callId, m(1451)).expect(200);
        await token(t.http, m(1451), call.channelName, 4501).expect(200);
        let before = agora.requests.length;
        await mute(call.callId, '1451', { video: true }, m(1450)).expect(200);
        const first = new Map(agora.requests.slice(before).map((r) => [(r.body as { uid: number }).uid, r.id!]));
        expect([...first.keys()].sort()).toEqual([4501, joined.body.uid].sort());

        // Half a minute on, the rules (3660 s from 10:00) still cover a new token (3600 s): nothing sent.
        clock.set('2026-03-05T10:00:30.000Z');
        before = agora.requests.length;
        await token(t.http, m(1451), call.channelName, 4501).expect(200);
        expect(agora.requests.length).toBe(before);

        // Half an hour on, a renewal would outlive them: a new rule for that uid first, then the old one deleted.
        for (const [uid, body] of [
          [4501, { uid: 4501 }],
          [joined.body.uid as number, {}],
        ] as const) {
          clock.set('2026-03-05T10:30:00.000Z');
          before = agora.requests.length;
          const renewed = await t.http.post('/api/calling/token').set(m(1451)).send({ channelName: call.channelName, ...body }).expect(200);
          expect(grants(renewed.body.token).privileges[PUBLISH_VIDEO]).toBeUndefined();
          const sent = agora.requests.slice(before);
          expect(sent.map((r) => [r.method, r.body])).toEqual([
            ['POST', { appid: DEV_AGORA_APP_ID, cname: call.channelName, uid, time_in_seconds: 3660, privileges: ['publish_video'] }],
            ['DELETE', { appid: DEV_AGORA_APP_ID, id: first.get(uid) }],
          ]);
        }
        const second = agora.requests.filter((r) => r.method === 'POST' && (r.body as { cname: string }).cname === call.channelName).slice(-2).map((r) => r.id);

        // Unmuting deletes the rules in force (the replaced ones are gone already).
        clock.set('2026-03-05T11:20:00.000Z');
        before = agora.requests.length;
        await mute(call.callId, '1451', { video: false }, m(1450)).expect(200);
        expect(agora.requests.slice(before).map((r) => [r.method, (r.body as { id: number }).id]).sort()).toEqual(second.map((id) => ['DELETE', id]).sort());
      } finally {
        clock.set('2026-03-02T10:00:00.000Z');
      }
    });

    it('when Agora does not answer, a muted member gets a token no longer than the rule in force, or 503 MUTE_ENFORCEMENT_UNAVAILABLE', async () => {
      clock.set('2026-03-06T10:00:00.000Z');
      try {
        const call = await createCall(t.http, 1460, { isPublic: true }, m(1460));
        await join(t.http, call.callId, m(1461)).expect(200);
        await token(t.http, m(1461), call.channelName, 4601).expect(200);
        await mute(call.callId, '1461', { audio: true }, m(1460)).expect(200);
        clock.set('2026-03-06T10:30:00.000Z');
        agoraStatus = 500;
        try {
          // The rule in force ends at 11:01: the token ends then too (1860 s), never after it.
          const short = await token(t.http, m(1461), call.channelName, 4601).expect(200);
          const granted = grants(short.body.token);
          expect(granted.expire).toBe(1860);
          expect(granted.privileges[JOIN_CHANNEL]).toBe(1860);
          expect(granted.privileges[PUBLISH_AUDIO]).toBeUndefined();
          expect(short.body.expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(1860);
          // No rule at all for a new uid: refused, with Retry-After.
          const refused = await token(t.http, m(1461), call.channelName, 4602).expect(503);
          expect(refused.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringContaining('muted'), code: 'MUTE_ENFORCEMENT_UNAVAILABLE' });
          expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
          // Less than a minute of the rule left: refused too.
          clock.set('2026-03-06T11:00:30.000Z');
          expect((await token(t.http, m(1461), call.channelName, 4601).expect(503)).body.code).toBe('MUTE_ENFORCEMENT_UNAVAILABLE');
        } finally {
          agoraStatus = 200;
        }
        const renewed = await token(t.http, m(1461), call.channelName, 4601).expect(200);
        expect(grants(renewed.body.token).expire).toBe(3600);
      } finally {
        clock.set('2026-03-02T10:00:00.000Z');
      }
    });

    it.each(['mute', 'removal'])('a %s committed between a token request\'s admission read and its new uid\'s binding still holds for that uid', async (action) => {
      const host = action === 'mute' ? 1470 : 1480;
      const member = host + 1;
      const call = await createCall(t.http, host, { isPublic: true }, m(host));
      await join(t.http, call.callId, m(member)).expect(200);
      const repository = t.app.get(TokensRepository);
      const read = repository.tokenAdmission.bind(repository);
      // The token request reads its admission; the host's action commits right after that read.
      const spy = jest.spyOn(repository, 'tokenAdmission').mockImplementationOnce(async (...args) => {
        const admission = await read(...args);
        if (action === 'mute') await mute(call.callId, String(member), { audio: true }, m(host)).expect(200);
        else await remove(call.callId, String(member), m(host)).expect(200);
        return admission;
      });
      try {
        const before = agora.requests.length;
        const res = await token(t.http, m(member), call.channelName, host * 10 + 7);
        if (action === 'mute') {
          expect(res.status).toBe(200);
          expect(grants(res.body.token).privileges[PUBLISH_AUDIO]).toBeUndefined();
          // The new uid has its rule (from the mute or from the token path, whichever saw it).
          const rules = agora.requests.slice(before).filter((r) => r.method === 'POST' && (r.body as { uid: number }).uid === host * 10 + 7);
          expect(rules.map((r) => (r.body as { privileges: string[] }).privileges)).toEqual([['publish_audio']]);
        } else {
          expect([res.status, res.body.code]).toEqual([403, 'CALL_ACCESS_DENIED']);
        }
      } finally {
        spy.mockRestore();
      }
    });

    it('is for hosts, moderators (on participants only) and admins', async () => {
      const call = await createCall(t.http, 1420, { isPublic: true }, m(1420));
      for (const n of [1420, 1421, 1422, 1423]) await join(t.http, call.callId, m(n)).expect(200);
      await setRole(call.callId, '1421', 'moderator', m(1420)).expect(200);
      await setRole(call.callId, '1422', 'moderator', m(1420)).expect(200);
      expect((await mute(call.callId, '1423', { audio: true }, m(1423)).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');
      expect((await mute(call.callId, '1420', { audio: true }, m(1421)).expect(403)).body.code).toBe('ACTION_NOT_ALLOWED');
      expect((await mute(call.callId, '1422', { audio: true }, m(1421)).expect(403)).body.code).toBe('ACTION_NOT_ALLOWED');
      await mute(call.callId, '1423', { audio: true, video: true }, m(1421)).expect(200);
      await mute(call.callId, '1421', { audio: true }, m(1420)).expect(200);
      await mute(call.callId, '1420', { video: false }, as.admin(9)).expect(200);
      await t.http.get('/api/calling/preferences').set(m(1429)).expect(200);
      expect((await mute(call.callId, '1429', { audio: true }, m(1420)).expect(404)).body.code).toBe('NOT_A_CALL_MEMBER');
      for (const body of [{}, { audio: 'yes' }, { audio: true, screen: true }]) expect((await mute(call.callId, '1423', body, m(1420)).expect(400)).body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('discovery in my-calls', () => {
    it('lists the member’s calls and public active or paused calls (role null), newest first; scope=mine keeps the old list', async () => {
      const viewer = 1500;
      clock.set('2026-03-04T10:00:00.000Z');
      const publicActive = await createCall(t.http, 1501, { title: 'Public active', isPublic: true }, m(1501));
      clock.set('2026-03-04T10:01:00.000Z');
      const privateOther = await createCall(t.http, 1502, { title: 'Private other' }, m(1502));
      clock.set('2026-03-04T10:02:00.000Z');
      const publicPaused = await createCall(t.http, 1503, { title: 'Public paused', isPublic: true }, m(1503));
      await pause(publicPaused.callId, m(1503)).expect(200);
      clock.set('2026-03-04T10:03:00.000Z');
      const publicEnded = await createCall(t.http, 1504, { title: 'Public ended', isPublic: true }, m(1504));
      await t.http.post(`/api/calling/${publicEnded.callId}/end`).set(m(1504)).expect(200);
      clock.set('2026-03-04T10:04:00.000Z');
      const own = await createCall(t.http, viewer, { title: 'Own private' }, m(viewer));
      clock.set('2026-03-04T10:05:00.000Z');
      const joinedPublic = await createCall(t.http, 1505, { title: 'Joined public', isPublic: true }, m(1505));
      await join(t.http, joinedPublic.callId, m(viewer)).expect(200);
      const ours = [publicActive, privateOther, publicPaused, publicEnded, own, joinedPublic].map((c) => c.callId);
      type Row = { id: number; title: string; role: string | null };
      const onlyOurs = (rows: Row[]): Row[] => rows.filter((row) => ours.includes(row.id));

      const all = await t.http.get('/api/calling/my-calls?limit=100').set(m(viewer)).expect(200);
      expect(onlyOurs(all.body).map((row: { title: string; role: string | null }) => [row.title, row.role])).toEqual([
        ['Joined public', 'participant'],
        ['Own private', 'host'],
        ['Public paused', null],
        ['Public active', null],
      ]);
      const createdAt = all.body.map((row: { created_at: string }) => row.created_at);
      expect([...createdAt].sort().reverse()).toEqual(createdAt);

      const mine = await t.http.get('/api/calling/my-calls?scope=mine').set(m(viewer)).expect(200);
      expect(mine.body.map((row: { title: string }) => row.title)).toEqual(['Joined public', 'Own private']);
      const paused = await t.http.get('/api/calling/my-calls?status=paused&limit=100').set(m(viewer)).expect(200);
      expect(onlyOurs(paused.body).map((row: { title: string }) => row.title)).toEqual(['Public paused']);
      const ended = await t.http.get('/api/calling/my-calls?status=ended&limit=100').set(m(viewer)).expect(200);
      expect(onlyOurs(ended.body)).toEqual([]);
      const limited = await t.http.get('/api/calling/my-calls?limit=2').set(m(viewer)).expect(200);
      expect(limited.body).toHaveLength(2);
      // The host of the ended public call still sees it: it is theirs.
      const host = await t.http.get('/api/calling/my-calls?status=ended').set(m(1504)).expect(200);
      expect(host.body.map((row: { id: number }) => row.id)).toContain(publicEnded.callId);
      clock.set('2026-03-02T10:00:00.000Z');
    });
  });

  describe('assigned uids', () => {
    it('gives each member a uid at join: never 0, stable across rejoins, its own in each call, used by tokens without a uid', async () => {
      const first = await createCall(t.http, 1600, { isPublic: true }, m(1600));
      const second = await createCall(t.http, 1600, { isPublic: true }, m(1600));
      const a = await join(t.http, first.callId, m(1601)).expect(200);
      expect(Number.isInteger(a.body.uid)).toBe(true);
      expect(a.body.uid).toBeGreaterThanOrEqual(1);
      expect(a.body.uid).toBeLessThanOrEqual(4294967295);
      expect((await join(t.http, first.callId, m(1601)).expect(200)).body.uid).toBe(a.body.uid);
      await leave(t.http, first.callId, m(1601)).expect(200);
      expect((await join(t.http, first.callId, m(1601)).expect(200)).body.uid).toBe(a.body.uid);
      const other = await join(t.http, second.callId, m(1601)).expect(200);
      expect(other.body.uid).not.toBe(a.body.uid);
      const b = await join(t.http, first.callId, m(1602)).expect(200);
      expect(b.body.uid).not.toBe(a.body.uid);

      const issued = await t.http.post('/api/calling/token').set(m(1601)).send({ channelName: first.channelName }).expect(200);
      expect(issued.body).toMatchObject({ channelName: first.channelName, uid: a.body.uid });
      // A client picking its own uid works as before; another member's assigned uid is theirs.
      await token(t.http, m(1601), first.channelName, 123456).expect(200);
      expect((await token(t.http, m(1601), first.channelName, b.body.uid).expect(409)).body.code).toBe('UID_TAKEN');
      // Without a uid and without having joined: access is decided first (issue 21).
      const none = await t.http.post('/api/calling/token').set(m(1603)).send({ channelName: first.channelName }).expect(403);
      expect(none.body).toMatchObject({ code: 'CALL_ACCESS_DENIED' });
    });

    it('takes the next free value when a client already picked the derived one', async () => {
      const call = await createCall(t.http, 1610, { isPublic: true }, m(1610));
      await join(t.http, call.callId, m(1610)).expect(200);
      const wanted = uidCandidates(deriveUidKey(DEV_JWT_SECRET), call.callId, 1611).next().value as number;
      await token(t.http, m(1610), call.channelName, wanted).expect(200);
      const joined = await join(t.http, call.callId, m(1611)).expect(200);
      expect(joined.body.uid).toBe((wanted % 4294967295) + 1);
      const bindings = await t.dataSource.getRepository(UidBinding).findBy({ callId: call.callId, userId: 1611 });
      expect(bindings).toEqual([expect.objectContaining({ uid: joined.body.uid, assigned: 1 })]);
    });
  });
});

describe('Calls that hosts run, without Agora credentials', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(async () => t?.close());

  it("gives a muted member tokens without the muted media's publish privilege, under any uid, until unmuted", async () => {
    const call = await createCall(t.http, 1710, { isPublic: true }, m(1710));
    const joined = await join(t.http, call.callId, m(1711)).expect(200);
    await t.http.post(`/api/calling/${call.callId}/participants/1711/mute`).set(m(1710)).send({ audio: true, video: true }).expect(200);
    for (const body of [{}, { uid: joined.body.uid }, { uid: 7171 }, { uid: 7172, role: 'subscriber' }]) {
      const res = await t.http.post('/api/calling/token').set(m(1711)).send({ channelName: call.channelName, ...body }).expect(200);
      const { privileges } = grants(res.body.token);
      expect([body, privileges[JOIN_CHANNEL], privileges[PUBLISH_AUDIO], privileges[PUBLISH_VIDEO]]).toEqual([body, 86400, undefined, undefined]);
    }
    await t.http.post(`/api/calling/${call.callId}/participants/1711/mute`).set(m(1710)).send({ audio: false }).expect(200);
    const { privileges } = grants((await token(t.http, m(1711), call.channelName, 7173).expect(200)).body.token);
    expect([privileges[PUBLISH_AUDIO], privileges[PUBLISH_VIDEO]]).toEqual([86400, undefined]);
    await t.http.post(`/api/calling/${call.callId}/participants/1711/mute`).set(m(1710)).send({ video: false }).expect(200);
    const unmuted = grants((await token(t.http, m(1711), call.channelName, 7173).expect(200)).body.token).privileges;
    expect([unmuted[PUBLISH_AUDIO], unmuted[PUBLISH_VIDEO]]).toEqual([86400, 86400]);
  });

  it('mutes and removes with the Agora outcome skipped', async () => {
    const call = await createCall(t.http, 1700, { isPublic: true }, m(1700));
    await join(t.http, call.callId, m(1701)).expect(200);
    const muted = await t.http.post(`/api/calling/${call.callId}/participants/1701/mute`).set(m(1700)).send({ audio: true, video: true }).expect(200);
    expect(muted.body).toMatchObject({ muted: { audio: true, video: true }, agoraMute: 'skipped' });
    const removed = await t.http.delete(`/api/calling/${call.callId}/participants/${enc(oto(1701))}`).set(m(1700)).expect(200);
    expect(removed.body.agoraKick).toBe('skipped');
  });
});
