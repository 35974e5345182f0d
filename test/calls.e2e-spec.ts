import { DataSource } from 'typeorm';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { createCall, join, leave } from './support/calls';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const CHANNEL = /^call_\d{10}_[a-z0-9]{9}$/;

describe('Calls: create, invite, join, leave, view, list', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startApp();
    db = t.dataSource;
  });
  afterAll(async () => t?.close());

  describe('POST /api/calling/create', () => {
    it('creates a call with the spec response and makes the creator its host without joining', async () => {
      const res = await t.http
        .post('/api/calling/create')
        .set(as.member(1))
        .send({ title: '  Weekly Team Meeting  ', description: 'Discuss project progress and next steps', isPublic: false, maxParticipants: 25 })
        .expect(201);
      expect(res.body).toEqual({
        callId: expect.any(Number),
        channelName: expect.stringMatching(CHANNEL),
        title: 'Weekly Team Meeting',
        description: 'Discuss project progress and next steps',
        isPublic: false,
        maxParticipants: 25,
        mode: 'conference',
        maxSpeakers: null,
      });
      const unixSeconds = Number(res.body.channelName.split('_')[1]);
      expect(Math.abs(unixSeconds - Date.now() / 1000)).toBeLessThan(10);
      const call = await db.getRepository(Call).findOneByOrFail({ id: res.body.callId });
      expect(call).toMatchObject({ creatorId: 1, status: 'active', activeParticipants: 0 });
      expect(await db.getRepository(CallSession).countBy({ callId: res.body.callId })).toBe(0);
      const mine = await t.http.get('/api/calling/my-calls').set(as.member(1)).expect(200);
      expect(mine.body.find((row: { id: number }) => row.id === res.body.callId)).toMatchObject({ role: 'host', participant_count: 0 });
    });

    it('applies the defaults: private, 50 participants, no description', async () => {
      const res = await t.http.post('/api/calling/create').set(as.preMember(2)).send({ title: 'x' }).expect(201);
      expect(res.body).toMatchObject({ isPublic: false, maxParticipants: 50, description: null });
    });

    it('draws a different channel name every time', async () => {
      const names = new Set<string>();
      for (let i = 0; i < 5; i += 1) names.add((await createCall(t.http, 3)).channelName);
      expect(names.size).toBe(5);
    });

    it.each([
      [{}, 'title'],
      [{ title: '' }, 'title'],
      [{ title: '   ' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: 42 }, 'title'],
      [{ title: 'ok', description: 'x'.repeat(2001) }, 'description'],
      [{ title: 'ok', isPublic: 'yes' }, 'isPublic'],
      [{ title: 'ok', maxParticipants: 1 }, 'maxParticipants'],
      [{ title: 'ok', maxParticipants: 501 }, 'maxParticipants'],
      [{ title: 'ok', maxParticipants: 2.5 }, 'maxParticipants'],
      [{ title: 'ok', maxParticipants: '10' }, 'maxParticipants'],
      [{ title: 'ok', hostId: 7 }, 'hostId'],
    ].map(([body, field], i) => [i, field, body] as const))('refuses bad body #%d (%s) with 400 and writes nothing', async (i, field, body) => {
      const before = await db.getRepository(Call).count();
      // A fresh member per case: the create limit (10 an hour) counts refused requests too.
      const res = await t.http.post('/api/calling/create').set(as.member(1000 + i)).send(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
      expect(res.body.message).toContain(field);
      expect(await db.getRepository(Call).count()).toBe(before);
    });
  });

  describe('length limits count Unicode code points, as the columns do', () => {
    // MariaDB's utf8mb4 varchar(N) holds N code points; validator.js's isLength (class-validator's
    // Length) skips U+FE0F/U+FE0E and counts a surrogate pair as one, so these passed validation
    // and then failed the insert (500) on MariaDB, or were stored over-long on SQLite.
    const selectors = (n: number): string => 'a\uFE0F'.repeat(n);
    const emoji = (n: number): string => '\u{1F600}'.repeat(n);

    it.each([
      ['a title of 200 "a" + U+FE0F pairs (400 code points)', { title: selectors(200) }, 'title must be shorter than or equal to 200 characters'],
      ['a title of 101 pairs (202 code points)', { title: selectors(101) }, 'title must be shorter than or equal to 200 characters'],
      ['a title of 201 emoji', { title: emoji(201) }, 'title must be shorter than or equal to 200 characters'],
      ['a description of 1,001 pairs (2,002 code points)', { title: 'ok', description: selectors(1001) }, 'description must be shorter than or equal to 2000 characters'],
      ['a description of 2,001 emoji', { title: 'ok', description: emoji(2001) }, 'description must be shorter than or equal to 2000 characters'],
    ].map(([label, body, message], i) => [label, i, body, message] as const))('refuses %s with 400 and writes nothing', async (_label, i, body, message) => {
      const before = await db.getRepository(Call).count();
      const res = await t.http.post('/api/calling/create').set(as.member(1100 + i)).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED', errors: [message] });
      expect(await db.getRepository(Call).count()).toBe(before);
    });

    it('stores 200 emoji as the title and 2,000 as the description, and gives them back exactly', async () => {
      const title = emoji(200);
      const description = emoji(2000);
      const res = await t.http.post('/api/calling/create').set(as.member(1200)).send({ title, description }).expect(201);
      expect(res.body).toMatchObject({ title, description });
      const stored = await db.getRepository(Call).findOneByOrFail({ id: res.body.callId });
      expect({ title: stored.title, description: stored.description }).toEqual({ title, description });
      const details = await t.http.get(`/api/calling/${res.body.callId}`).set(as.member(1200)).expect(200);
      expect({ title: details.body.title, description: details.body.description }).toEqual({ title, description });
    });

    it('takes exactly 200 code points of a mixed title, selectors included', async () => {
      const title = `${selectors(50)}${emoji(50)}${'x'.repeat(50)}`;
      const res = await t.http.post('/api/calling/create').set(as.member(1201)).send({ title }).expect(201);
      expect((await db.getRepository(Call).findOneByOrFail({ id: res.body.callId })).title).toBe(title);
    });
  });

  describe('join and leave', () => {
    it('joins with the spec answer plus masking preferences, then leaves with a duration', async () => {
      const call = await createCall(t.http, 10, { title: 'Open call', isPublic: true });
      const res = await join(t.http, call.callId, as.member(11)).expect(200);
      expect(res.body).toMatchObject({
        success: true,
        channelName: call.channelName,
        callTitle: 'Open call',
        media: 'video',
        voice_masking_enabled: true,
        video_masking_enabled: true,
        auto_mute_on_join: false,
        video_quality: 'hd',
      });
      const session = await db.getRepository(CallSession).findOneByOrFail({ callId: call.callId, userId: 11 });
      expect(session).toMatchObject({ open: 1, leftAt: null, media: 'video' });

      await leave(t.http, call.callId, as.member(11)).expect(200, { success: true });
      const closed = await db.getRepository(CallSession).findOneByOrFail({ id: session.id });
      expect(closed.open).toBeNull();
      expect(closed.leftAt).toBeInstanceOf(Date);
      expect(closed.durationSeconds).toBeGreaterThanOrEqual(0);
      expect(closed.leaveReason).toBe('left');
      expect((await db.getRepository(Call).findOneByOrFail({ id: call.callId })).activeParticipants).toBe(0);
    });

    it('honours {"media":"audio"} and refuses other media', async () => {
      const call = await createCall(t.http, 12, { isPublic: true });
      await join(t.http, call.callId, as.member(13), { media: 'screen' }).expect(400);
      const res = await join(t.http, call.callId, as.member(13), { media: 'audio' }).expect(200);
      expect(res.body.media).toBe('audio');
    });

    it('is idempotent: joining twice gives the same answer, one session, one slot', async () => {
      const call = await createCall(t.http, 14, { isPublic: true });
      const first = await join(t.http, call.callId, as.member(15)).expect(200);
      const second = await join(t.http, call.callId, as.member(15)).expect(200);
      expect(second.body).toEqual(first.body);
      expect(await db.getRepository(CallSession).countBy({ callId: call.callId, userId: 15 })).toBe(1);
      expect((await db.getRepository(Call).findOneByOrFail({ id: call.callId })).activeParticipants).toBe(1);
    });

    it('a member already in a full call joining again gets the same answer, not "full"', async () => {
      const call = await createCall(t.http, 37, { isPublic: true, maxParticipants: 2 });
      const first = await join(t.http, call.callId, as.member(38)).expect(200);
      await join(t.http, call.callId, as.member(39)).expect(200);
      const again = await join(t.http, call.callId, as.member(38)).expect(200);
      expect(again.body).toEqual(first.body);
      expect((await db.getRepository(Call).findOneByOrFail({ id: call.callId })).activeParticipants).toBe(2);
    });

    it('leave is idempotent and 404 for an unknown call', async () => {
      const call = await createCall(t.http, 16, { isPublic: true });
      await leave(t.http, call.callId, as.member(17)).expect(200, { success: true });
      await leave(t.http, 999999, as.member(17)).expect(404);
    });

    it('404 for an unknown call, 400 for a callId that is not a positive integer', async () => {
      const res = await join(t.http, 999999, as.member(18)).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'CALL_NOT_FOUND' });
      for (const bad of ['abc', '0', '-1', '1.5', '99999999999']) {
        const r = await t.http.post(`/api/calling/${bad}/join`).set(as.member(18)).expect(400);
        expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
    });

    it('private calls admit members, invited users and admins only', async () => {
      const call = await createCall(t.http, 20, { isPublic: false });
      const denied = await join(t.http, call.callId, as.member(21)).expect(403);
      expect(denied.body).toMatchObject({ code: 'CALL_PRIVATE', message: 'Access denied to private call' });
      await join(t.http, call.callId, as.member(20)).expect(200);
      await join(t.http, call.callId, as.admin(22)).expect(200);

      await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(21)).send({ userIds: [21] }).expect(403);
      const invited = await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(20)).send({ userIds: [21, 21, 20] }).expect(200);
      expect(invited.body).toEqual({ success: true, invited: [21], alreadyMembers: [20] });
      await join(t.http, call.callId, as.member(21)).expect(200);
      const view = await t.http.get(`/api/calling/${call.callId}`).set(as.member(21)).expect(200);
      expect(view.body.role).toBe('participant');
    });

    it('invite validates its body and is for the host or an admin', async () => {
      const call = await createCall(t.http, 23);
      for (const body of [{}, { userIds: [] }, { userIds: [0] }, { userIds: ['5'] }, { userIds: Array.from({ length: 101 }, (_, i) => i + 1) }, { userIds: [5], extra: 1 }]) {
        await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(23)).send(body).expect(400);
      }
      await t.http.post(`/api/calling/${call.callId}/invite`).set(as.admin(24)).send({ userIds: [25] }).expect(200);
      await t.http.post('/api/calling/999999/invite').set(as.admin(24)).send({ userIds: [25] }).expect(404);
    });

    it('400 when the call is full; a slot frees up on leave', async () => {
      const call = await createCall(t.http, 30, { isPublic: true, maxParticipants: 2 });
      await join(t.http, call.callId, as.member(31)).expect(200);
      await join(t.http, call.callId, as.member(32)).expect(200);
      const full = await join(t.http, call.callId, as.member(33)).expect(400);
      expect(full.body).toMatchObject({ statusCode: 400, code: 'CALL_FULL' });
      await leave(t.http, call.callId, as.member(31)).expect(200);
      await join(t.http, call.callId, as.member(33)).expect(200);
    });

    it('accepts the empty JSON body the spec example sends, but not malformed JSON', async () => {
      const call = await createCall(t.http, 34, { isPublic: true });
      await t.http.post(`/api/calling/${call.callId}/join`).set(as.member(35)).set('Content-Type', 'application/json').expect(200);
      await t.http.post(`/api/calling/${call.callId}/join`).set(as.member(36)).set('Content-Type', 'application/json').send('{"media":').expect(400);
      await t.http.post(`/api/calling/${call.callId}/join`).set(as.member(36)).send({ media: 'audio', extra: true }).expect(400);
      expect(await db.getRepository(CallSession).countBy({ callId: call.callId, userId: 36 })).toBe(0);
    });
  });

  describe('concurrency', () => {
    it('admits exactly the free slots when 40 members join at once', async () => {
      const call = await createCall(t.http, 40, { isPublic: true, maxParticipants: 7 });
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => join(t.http, call.callId, as.member(100 + i))));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(7);
      expect(statuses.filter((s) => s === 400)).toHaveLength(33);
      expect(await db.getRepository(CallSession).countBy({ callId: call.callId, open: 1 })).toBe(7);
      expect(await db.getRepository(Call).findOneByOrFail({ id: call.callId })).toMatchObject({ activeParticipants: 7, peakParticipants: 7 });
    });

    it('one member joining 10 times at once gets one session and one slot', async () => {
      const call = await createCall(t.http, 41, { isPublic: true, maxParticipants: 5 });
      const results = await Promise.all(Array.from({ length: 10 }, () => join(t.http, call.callId, as.member(150))));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(new Set(results.map((r) => r.body.joinedAt)).size).toBe(1);
      expect(await db.getRepository(CallSession).countBy({ callId: call.callId, userId: 150 })).toBe(1);
      expect((await db.getRepository(Call).findOneByOrFail({ id: call.callId })).activeParticipants).toBe(1);
    });
  });

  describe('GET /api/calling/:callId', () => {
    it('shows the call and who is in it by OTO# only, to members, participants and admins', async () => {
      const call = await createCall(t.http, 50, { title: 'Visible', isPublic: true, maxParticipants: 9 });
      await join(t.http, call.callId, as.member(50)).expect(200);
      await join(t.http, call.callId, as.member(51, { converse_id: 'OTO#ABC123' }), { media: 'audio' }).expect(200);
      const res = await t.http.get(`/api/calling/${call.callId}`).set(as.member(50)).expect(200);
      expect(res.body).toMatchObject({
        id: call.callId,
        title: 'Visible',
        channel_name: call.channelName,
        creator_id: 50,
        is_public: true,
        max_participants: 9,
        status: 'active',
        role: 'host',
        participant_count: 2,
        ended_at: null,
      });
      expect(res.body.participants).toHaveLength(2);
      expect(res.body.participants[1]).toEqual({ oto_number: 'OTO#ABC123', role: 'participant', joined_at: expect.any(String), media: 'audio', muted: { audio: false, video: false }, stage_role: null });
      expect(res.body.participants[0].oto_number).toMatch(/^OTO#[A-Z0-9]{6}$/);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/real-name|example\.org|user_id/);

      await t.http.get(`/api/calling/${call.callId}`).set(as.member(52)).expect(403);
      const admin = await t.http.get(`/api/calling/${call.callId}`).set(as.admin(53)).expect(200);
      expect(admin.body.role).toBeNull();
      await t.http.get('/api/calling/999999').set(as.member(50)).expect(404);
    });
  });

  describe('GET /api/calling/my-calls', () => {
    it('scope=mine lists created, invited and joined calls newest first with role and live count', async () => {
      await createCall(t.http, 60, { title: 'Mine' });
      const invitedTo = await createCall(t.http, 61, { title: 'Invited' });
      await t.http.post(`/api/calling/${invitedTo.callId}/invite`).set(as.member(61)).send({ userIds: [60] }).expect(200);
      const joined = await createCall(t.http, 62, { title: 'Joined', isPublic: true });
      await join(t.http, joined.callId, as.member(60)).expect(200);
      await join(t.http, joined.callId, as.member(62)).expect(200);
      await createCall(t.http, 63, { title: 'Not mine', isPublic: true });

      const res = await t.http.get('/api/calling/my-calls?scope=mine').set(as.member(60)).expect(200);
      expect(res.body.map((row: { title: string }) => row.title)).toEqual(['Joined', 'Invited', 'Mine']);
      expect(res.body[0]).toEqual({
        id: joined.callId,
        title: 'Joined',
        description: null,
        channel_name: joined.channelName,
        creator_id: 62,
        is_public: true,
        max_participants: 50,
        status: 'active',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        role: 'participant',
        participant_count: 2,
        // Issue 24: a call without a schedule has none.
        starts_at: null,
        ends_at: null,
        lobby: false,
        wait_for_host: false,
        mode: 'conference',
        max_speakers: null,
        speaker_count: null,
        encryption: 'none',
      });
      expect(res.body[1].role).toBe('participant');
      expect(res.body[2].role).toBe('host');

      const limited = await t.http.get('/api/calling/my-calls?scope=mine&limit=1').set(as.member(60)).expect(200);
      expect(limited.body).toHaveLength(1);
      const ended = await t.http.get('/api/calling/my-calls?scope=mine&status=ended').set(as.member(60)).expect(200);
      expect(ended.body).toEqual([]);
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'status=done', 'status=', 'page=2', 'scope=public', 'scope='])('refuses ?%s with 400', async (query) => {
      await t.http.get(`/api/calling/my-calls?${query}`).set(as.member(60)).expect(400);
    });
  });
});
