/**
 * The lobby (issue 24): the `lobby` and `waitForHost` settings, the join that waits (202), the
 * host's, moderators' and admins' decisions, expiry on the fake clock, the lobby's events and who
 * receives them on member streams. SQLite, and MariaDB with TEST_DB=mysql.
 */
import { randomInt } from 'node:crypto';
import { createCall, join, leave, token } from './support/calls';
import { FakeClock } from './support/clock';
import { openStream, OpenStream } from './support/event-stream';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number): number => base + n;
const ADMIN = user(0);
const MINUTE = 60_000;

describe('the lobby', () => {
  let t: TestApp;
  let url: string;
  const clock = new FakeClock('2026-03-02T09:00:00.000Z');
  const streams: OpenStream[] = [];

  beforeAll(async () => {
    t = await startApp({}, undefined, clock);
    await t.app.listen(0, '127.0.0.1');
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(async () => t?.close());

  const otoOf = async (userId: number): Promise<string> => {
    const rows: Array<{ oto_number: string }> = await t.dataSource.query('SELECT oto_number FROM users WHERE id = ?', [userId]);
    return rows[0].oto_number;
  };
  const lobbyOf = (callId: number, auth: { Authorization: string }) => t.http.get(`/api/calling/${callId}/lobby`).set(auth);
  const decide = (callId: number, member: string | number, action: 'admit' | 'deny', auth: { Authorization: string }) =>
    t.http.post(`/api/calling/${callId}/lobby/${encodeURIComponent(String(member))}/${action}`).set(auth);
  const admitAll = (callId: number, auth: { Authorization: string }) => t.http.post(`/api/calling/${callId}/lobby/admit-all`).set(auth);
  const patch = (callId: number, body: object, auth: { Authorization: string }) => t.http.patch(`/api/calling/${callId}`).set(auth).send(body);
  const eventsOf = async (callId: number): Promise<Array<{ type: string; user_id: number | null; actor_id: number | null; data: string | null }>> =>
    t.dataSource.query("SELECT type, user_id, actor_id, data FROM call_events WHERE call_id = ? AND type LIKE 'lobby.%' ORDER BY id", [callId]);
  const liveCount = async (callId: number): Promise<number> => {
    const rows: Array<{ active_participants: number | string }> = await t.dataSource.query('SELECT active_participants FROM calls WHERE id = ?', [callId]);
    return Number(rows[0].active_participants);
  };

  describe('settings', () => {
    it('are off unless given, show in every call row (my-calls, GET /:callId, admin calls and details), and change with PATCH', async () => {
      const host = user(1);
      const plain = await createCall(t.http, host, { isPublic: true });
      const gated = await createCall(t.http, host, { isPublic: true, lobby: true, waitForHost: true });
      const mine = await t.http.get('/api/calling/my-calls?scope=mine').set(as.member(host)).expect(200);
      expect(mine.body.find((row: { id: number }) => row.id === plain.callId)).toMatchObject({ lobby: false, wait_for_host: false });
      expect(mine.body.find((row: { id: number }) => row.id === gated.callId)).toMatchObject({ lobby: true, wait_for_host: true });
      expect((await t.http.get(`/api/calling/${gated.callId}`).set(as.member(host)).expect(200)).body).toMatchObject({ lobby: true, wait_for_host: true });
      const admin = await t.http.get('/api/calling/admin/calls?limit=100').set(as.admin(ADMIN)).expect(200);
      expect(admin.body.calls.find((row: { id: number }) => row.id === gated.callId)).toMatchObject({ lobby: true, wait_for_host: true });
      expect(admin.body.calls.find((row: { id: number }) => row.id === plain.callId)).toMatchObject({ lobby: false, wait_for_host: false });
      expect((await t.http.get(`/api/calling/admin/${gated.callId}/details`).set(as.admin(ADMIN)).expect(200)).body.call).toMatchObject({ lobby: true, wait_for_host: true });

      const edited = await patch(plain.callId, { lobby: true }, as.member(host)).expect(200);
      expect(edited.body).toMatchObject({ lobby: true, wait_for_host: false });
      expect((await patch(plain.callId, { waitForHost: true, lobby: false }, as.member(host)).expect(200)).body).toMatchObject({ lobby: false, wait_for_host: true });
      const updated: Array<{ data: string }> = await t.dataSource.query("SELECT data FROM call_events WHERE call_id = ? AND type = 'call.updated' ORDER BY id", [plain.callId]);
      expect(updated.map((row) => JSON.parse(row.data).changed)).toEqual([{ lobby: true }, { lobby: false, wait_for_host: true }]);

      for (const body of [{ lobby: 'yes' }, { waitForHost: 1 }]) {
        expect((await patch(plain.callId, body, as.member(host)).expect(400)).body.code).toBe('VALIDATION_FAILED');
        expect((await t.http.post('/api/calling/create').set(as.member(host)).send({ title: 'Bad', ...body }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('leave a call created without them exactly as before: everyone joins at once', async () => {
      const call = await createCall(t.http, user(2), { isPublic: true });
      const joined = await join(t.http, call.callId, as.member(user(3))).expect(200);
      expect(joined.body).toMatchObject({ success: true, channelName: call.channelName, callId: call.callId });
      expect(await eventsOf(call.callId)).toEqual([]);
    });
  });

  describe('lobby', () => {
    it('keeps members waiting (202, no channel, no slot, no token) while host, moderators and admins come in', async () => {
      const [host, first, second, moderator] = [user(10), user(11), user(12), user(13)];
      const call = await createCall(t.http, host, { isPublic: true, lobby: true, title: 'Door call' });
      const knocked = await join(t.http, call.callId, as.member(first)).expect(202);
      expect(knocked.body).toEqual({ success: true, status: 'waiting', callTitle: 'Door call', lobby: { since: clock.now().toISOString(), position: 1 } });
      expect(knocked.body.channelName).toBeUndefined();
      const since = clock.now().toISOString();
      clock.advance(5_000);
      expect((await join(t.http, call.callId, as.member(second)).expect(202)).body.lobby).toEqual({ since: clock.now().toISOString(), position: 2 });
      // Again while waiting: the same answer, no new wait.
      clock.advance(5_000);
      expect((await join(t.http, call.callId, as.member(first)).expect(202)).body.lobby).toEqual({ since, position: 1 });
      expect(await liveCount(call.callId)).toBe(0);
      // No token: the waiting member has no session, whatever uid they ask for.
      expect((await t.http.post('/api/calling/token').set(as.member(first)).send({ channelName: call.channelName }).expect(403)).body.code).toBe('CALL_ACCESS_DENIED');
      expect((await token(t.http, as.member(first), call.channelName, 4242).expect(403)).body.code).toBe('CALL_ACCESS_DENIED');
      expect((await t.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(first)).expect(403)).body.code).toBe('NOT_A_PARTICIPANT');

      // The host, an admin, and a moderator skip the lobby.
      await join(t.http, call.callId, as.member(host)).expect(200);
      await join(t.http, call.callId, as.admin(ADMIN)).expect(200);
      await join(t.http, call.callId, as.member(moderator)).expect(202);
      await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(host)).send({ userIds: [moderator] }).expect(200);
      await t.http.put(`/api/calling/${call.callId}/members/${moderator}`).set(as.member(host)).send({ role: 'moderator' }).expect(200);
      await join(t.http, call.callId, as.member(moderator)).expect(200);
      const [firstOto, secondOto] = [await otoOf(first), await otoOf(second)];
      const listed = await lobbyOf(call.callId, as.member(moderator)).expect(200);
      expect(listed.body).toEqual({
        success: true,
        callId: call.callId,
        waiting: [
          { oto_number: firstOto, since, position: 1 },
          { oto_number: secondOto, since: new Date(Date.parse(since) + 5_000).toISOString(), position: 2 },
        ],
      });
      // Nothing of anyone's real identity.
      expect(JSON.stringify(listed.body)).not.toMatch(/real-name|example\.org/);
      expect((await lobbyOf(call.callId, as.member(first)).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');
      expect((await lobbyOf(999_999_999, as.member(host)).expect(404)).body.code).toBe('CALL_NOT_FOUND');
      expect((await lobbyOf(call.callId, as.admin(ADMIN)).expect(200)).body.waiting).toHaveLength(2);

      // Admitted by OTO#: the next join comes in.
      expect((await decide(call.callId, firstOto, 'admit', as.member(moderator)).expect(200)).body).toEqual({ success: true, oto_number: firstOto, state: 'admitted' });
      const entered = await join(t.http, call.callId, as.member(first)).expect(200);
      expect(entered.body).toMatchObject({ channelName: call.channelName, role: 'participant' });
      await t.http.post('/api/calling/token').set(as.member(first)).send({ channelName: call.channelName }).expect(200);
      expect((await lobbyOf(call.callId, as.member(host)).expect(200)).body.waiting.map((w: { oto_number: string; position: number }) => [w.oto_number, w.position])).toEqual([[secondOto, 1]]);
      // A decision on someone in the call, or who never knocked, is refused.
      expect((await decide(call.callId, first, 'deny', as.member(host)).expect(404)).body.code).toBe('NOT_IN_LOBBY');
      expect((await decide(call.callId, host, 'admit', as.member(host)).expect(404)).body.code).toBe('NOT_IN_LOBBY');
      expect((await decide(call.callId, 'OTO#ZZZZZZ', 'admit', as.member(host)).expect(404)).body.code).toBe('MEMBER_NOT_FOUND');
      expect((await decide(call.callId, 'someone', 'admit', as.member(host)).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await decide(call.callId, secondOto, 'admit', as.member(first)).expect(403)).body.code).toBe('NOT_CALL_MODERATOR');

      // The admission lasts LOBBY_ADMISSION_MINUTES (10): a member who left rejoins within it, after it knocks again.
      await leave(t.http, call.callId, as.member(first)).expect(200);
      clock.advance(9 * MINUTE);
      await join(t.http, call.callId, as.member(first)).expect(200);
      await leave(t.http, call.callId, as.member(first)).expect(200);
      clock.advance(2 * MINUTE);
      expect((await join(t.http, call.callId, as.member(first)).expect(202)).body.lobby.since).toBe(clock.now().toISOString());

      const events = await eventsOf(call.callId);
      expect(events.map((e) => [e.type, e.user_id, e.actor_id])).toEqual([
        ['lobby.waiting', first, null],
        ['lobby.waiting', second, null],
        ['lobby.waiting', moderator, null],
        ['lobby.admitted', first, moderator],
        ['lobby.waiting', first, null],
      ]);
    });

    it('denies until admitted later; leaving does not lift a denial but ends a wait', async () => {
      const [host, member, other] = [user(20), user(21), user(22)];
      const call = await createCall(t.http, host, { isPublic: true, lobby: true });
      await join(t.http, call.callId, as.member(member)).expect(202);
      expect((await decide(call.callId, member, 'deny', as.member(host)).expect(200)).body).toEqual({ success: true, oto_number: await otoOf(member), state: 'denied' });
      expect((await join(t.http, call.callId, as.member(member)).expect(403)).body.code).toBe('LOBBY_DENIED');
      await leave(t.http, call.callId, as.member(member)).expect(200);
      clock.advance(60 * MINUTE);
      expect((await join(t.http, call.callId, as.member(member)).expect(403)).body.code).toBe('LOBBY_DENIED');
      // Denying again changes nothing; admitting later lets them in.
      await decide(call.callId, member, 'deny', as.member(host)).expect(200);
      await decide(call.callId, member, 'admit', as.member(host)).expect(200);
      await join(t.http, call.callId, as.member(member)).expect(200);

      await join(t.http, call.callId, as.member(other)).expect(202);
      await leave(t.http, call.callId, as.member(other)).expect(200);
      expect((await lobbyOf(call.callId, as.member(host)).expect(200)).body.waiting).toEqual([]);
      expect((await decide(call.callId, other, 'admit', as.member(host)).expect(404)).body.code).toBe('NOT_IN_LOBBY');
      expect((await eventsOf(call.callId)).map((e) => e.type)).toEqual(['lobby.waiting', 'lobby.denied', 'lobby.admitted', 'lobby.waiting']);
    });

    it('lets a wait expire after LOBBY_WAIT_MINUTES (15): the member drops off the list and knocks again', async () => {
      const [host, member] = [user(30), user(31)];
      const call = await createCall(t.http, host, { isPublic: true, lobby: true });
      await join(t.http, call.callId, as.member(member)).expect(202);
      clock.advance(15 * MINUTE - 1);
      expect((await lobbyOf(call.callId, as.member(host)).expect(200)).body.waiting).toHaveLength(1);
      clock.advance(1);
      expect((await lobbyOf(call.callId, as.member(host)).expect(200)).body.waiting).toEqual([]);
      expect((await admitAll(call.callId, as.member(host)).expect(200)).body).toEqual({ success: true, admitted: [] });
      const again = await join(t.http, call.callId, as.member(member)).expect(202);
      expect(again.body.lobby).toEqual({ since: clock.now().toISOString(), position: 1 });
      expect((await eventsOf(call.callId)).map((e) => e.type)).toEqual(['lobby.waiting', 'lobby.waiting']);
    });

    it('admits everyone waiting at once; admitting takes no slot, so the join after it may be CALL_FULL', async () => {
      const host = user(40);
      const members = [user(41), user(42), user(43)];
      const call = await createCall(t.http, host, { isPublic: true, lobby: true, maxParticipants: 2 });
      await join(t.http, call.callId, as.member(host)).expect(200);
      for (const m of members) {
        await join(t.http, call.callId, as.member(m)).expect(202);
        clock.advance(1_000);
      }
      const all = await admitAll(call.callId, as.member(host)).expect(200);
      expect(all.body).toEqual({ success: true, admitted: await Promise.all(members.map(otoOf)) });
      expect(await liveCount(call.callId)).toBe(1);
      await join(t.http, call.callId, as.member(members[0])).expect(200);
      expect((await join(t.http, call.callId, as.member(members[1])).expect(400)).body.code).toBe('CALL_FULL');
      // Still admitted: once a place is free, they come in.
      await leave(t.http, call.callId, as.member(members[0])).expect(200);
      await join(t.http, call.callId, as.member(members[1])).expect(200);
      expect((await eventsOf(call.callId)).filter((e) => e.type === 'lobby.admitted').map((e) => [e.user_id, e.actor_id, JSON.parse(e.data!)])).toEqual(
        members.map((m) => [m, host, { automatic: false }]),
      );
    });

    it('refuses a knock at a paused or ended call, and the lobby routes of an ended call', async () => {
      const [host, member] = [user(50), user(51)];
      const call = await createCall(t.http, host, { isPublic: true, lobby: true });
      await t.http.post(`/api/calling/${call.callId}/pause`).set(as.member(host)).expect(200);
      expect((await join(t.http, call.callId, as.member(member)).expect(409)).body.code).toBe('CALL_PAUSED');
      await t.http.post(`/api/calling/${call.callId}/resume`).set(as.member(host)).expect(200);
      await join(t.http, call.callId, as.member(member)).expect(202);
      await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(host)).expect(200);
      expect((await join(t.http, call.callId, as.member(member)).expect(404)).body.code).toBe('CALL_ENDED');
      expect((await lobbyOf(call.callId, as.member(host)).expect(404)).body.code).toBe('CALL_ENDED');
      expect((await decide(call.callId, member, 'admit', as.member(host)).expect(404)).body.code).toBe('CALL_ENDED');
      expect((await admitAll(call.callId, as.member(host)).expect(404)).body.code).toBe('CALL_ENDED');
    });

    it('lets members in when the lobby is turned off, and keeps those in the call when it is turned on', async () => {
      const [host, inside, waiting, late] = [user(60), user(61), user(62), user(63)];
      const call = await createCall(t.http, host, { isPublic: true });
      await join(t.http, call.callId, as.member(inside)).expect(200);
      await patch(call.callId, { lobby: true }, as.member(host)).expect(200);
      // In already: stays, renews tokens, joins again (same answer).
      await join(t.http, call.callId, as.member(inside)).expect(200);
      await t.http.post('/api/calling/token').set(as.member(inside)).send({ channelName: call.channelName }).expect(200);
      await join(t.http, call.callId, as.member(waiting)).expect(202);
      await patch(call.callId, { lobby: false }, as.member(host)).expect(200);
      await join(t.http, call.callId, as.member(waiting)).expect(200);
      await join(t.http, call.callId, as.member(late)).expect(200);
      expect((await lobbyOf(call.callId, as.member(host)).expect(200)).body.waiting).toEqual([]);
    });
  });

  describe('wait for the host', () => {
    it('holds early members until the host or a moderator joins, then lets them in by themselves', async () => {
      const [host, early, later, another] = [user(70), user(71), user(72), user(73)];
      const call = await createCall(t.http, host, { isPublic: true, waitForHost: true });
      await join(t.http, call.callId, as.member(early)).expect(202);
      clock.advance(1_000);
      expect((await join(t.http, call.callId, as.member(later)).expect(202)).body.lobby.position).toBe(2);
      await join(t.http, call.callId, as.member(host)).expect(200);
      expect((await lobbyOf(call.callId, as.member(host)).expect(200)).body.waiting).toEqual([]);
      await join(t.http, call.callId, as.member(early)).expect(200);
      await join(t.http, call.callId, as.member(later)).expect(200);
      // While the host is in, newcomers come straight in; after everyone privileged left, they wait again.
      await leave(t.http, call.callId, as.member(later)).expect(200);
      await join(t.http, call.callId, as.member(another)).expect(200);
      await leave(t.http, call.callId, as.member(host)).expect(200);
      // Members in the call stay.
      await t.http.post('/api/calling/token').set(as.member(early)).send({ channelName: call.channelName }).expect(200);
      clock.advance(11 * MINUTE);
      expect((await join(t.http, call.callId, as.member(later)).expect(202)).body.lobby.position).toBe(1);
      // An admin counts as the host.
      await join(t.http, call.callId, as.admin(ADMIN)).expect(200);
      await join(t.http, call.callId, as.member(later)).expect(200);

      const events = await eventsOf(call.callId);
      expect(events.map((e) => [e.type, e.user_id, e.actor_id, e.data && JSON.parse(e.data)])).toEqual([
        ['lobby.waiting', early, null, null],
        ['lobby.waiting', later, null, null],
        ['lobby.admitted', early, host, { automatic: true }],
        ['lobby.admitted', later, host, { automatic: true }],
        ['lobby.waiting', later, null, null],
        ['lobby.admitted', later, ADMIN, { automatic: true }],
      ]);
    });

    it('with the lobby also on, the host admits: nobody comes in by the host joining', async () => {
      const [host, member] = [user(80), user(81)];
      const call = await createCall(t.http, host, { isPublic: true, waitForHost: true, lobby: true });
      await join(t.http, call.callId, as.member(member)).expect(202);
      await join(t.http, call.callId, as.member(host)).expect(200);
      await join(t.http, call.callId, as.member(member)).expect(202);
      await decide(call.callId, member, 'admit', as.member(host)).expect(200);
      await join(t.http, call.callId, as.member(member)).expect(200);
    });
  });

  describe('events on member streams', () => {
    const streamOf = async (userId: number): Promise<OpenStream> => {
      const { ticket } = (await t.http.post('/api/calling/events/ticket').set(as.member(userId)).expect(201)).body as { ticket: string };
      const stream = await openStream(url, `ticket=${ticket}`);
      expect(stream.status).toBe(200);
      streams.push(stream);
      return stream;
    };

    it('tells the host and moderators who waits, and the member (and them) the decision; other members hear nothing of it', async () => {
      const [host, moderator, participant, member] = [user(90), user(91), user(92), user(93)];
      const call = await createCall(t.http, host, { isPublic: true, lobby: true });
      await t.http.post(`/api/calling/${call.callId}/invite`).set(as.member(host)).send({ userIds: [moderator, participant] }).expect(200);
      const [hostStream, moderatorStream, participantStream, memberStream] = await Promise.all([host, moderator, participant, member].map(streamOf));
      await t.http.put(`/api/calling/${call.callId}/members/${moderator}`).set(as.member(host)).send({ role: 'moderator' }).expect(200);
      await join(t.http, call.callId, as.member(member)).expect(202);
      const oto = await otoOf(member);
      const isLobby = (type: string) => (e: { body: { type: string; callId: number } }) => e.body.type === type && e.body.callId === call.callId;
      for (const stream of [hostStream, moderatorStream]) {
        const waiting = await stream.next(isLobby('lobby.waiting'));
        expect(waiting.body.data).toEqual({ member: { user_id: member, oto_number: oto } });
      }
      await decide(call.callId, member, 'deny', as.member(moderator)).expect(200);
      for (const stream of [hostStream, moderatorStream, memberStream]) {
        const denied = await stream.next(isLobby('lobby.denied'));
        expect(denied.body.data).toEqual({ member: { user_id: member, oto_number: oto }, by: { user_id: moderator, oto_number: await otoOf(moderator) } });
      }
      await decide(call.callId, member, 'admit', as.member(host)).expect(200);
      for (const stream of [hostStream, moderatorStream, memberStream]) await stream.next(isLobby('lobby.admitted'));
      // The participant hears the call's other events (an update, say), never the lobby's; the member never their own wait.
      await patch(call.callId, { title: 'Renamed' }, as.member(host)).expect(200);
      await participantStream.next(isLobby('call.updated'));
      expect(participantStream.events.filter((e) => e.body.type.startsWith('lobby.'))).toEqual([]);
      expect(memberStream.events.filter((e) => e.body.type === 'lobby.waiting')).toEqual([]);
    });
  });
});
