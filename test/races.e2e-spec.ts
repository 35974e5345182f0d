/**
 * Races between participation changes (issue "hold under races"): each case fires the two
 * requests at once for many members and then checks the answers and the participation
 * invariants in SQL. On MariaDB the two requests go to two instances sharing the database
 * (where the races are real); on SQLite, to one instance.
 */
import { randomInt } from 'node:crypto';
import { CallMediaSegment } from '../src/calls/entities/call-media-segment.entity';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { UidBinding } from '../src/calls/entities/uid-binding.entity';
import { createCall, CreatedCall, join, leave, token } from './support/calls';
import { brokenInvariants } from './support/invariants';
import { as } from './support/jwt';
import { createTestDatabase, startApp, TestApp, usingMysql } from './support/test-app';

const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number): number => base + n;
const ADMIN = user(0);
const MEMBERS = usingMysql ? 60 : 20;

/** Allowed answers of a request that races another: never a 5xx. */
const statusOf = (res: { status: number }): number => res.status;

describe('participation races', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    if (usingMysql) {
      db = await createTestDatabase();
      a = await startApp({}, db.url);
      b = await startApp({}, db.url);
    } else {
      a = await startApp();
      b = a;
    }
  });
  afterAll(async () => {
    if (b !== a) await b?.app.close();
    await a?.app.close();
    await db?.drop();
  });

  afterEach(async () => {
    expect(await brokenInvariants(a.dataSource)).toEqual({});
  });

  const remove = (t: TestApp, callId: number, userId: number) => t.http.delete(`/api/calling/admin/${callId}/participants/${userId}`).set(as.admin(ADMIN));
  const media = (t: TestApp, callId: number, userId: number, to: 'audio' | 'video') => t.http.post(`/api/calling/${callId}/media`).set(as.member(userId)).send({ media: to });
  const openSessions = (callId: number, userId?: number) => a.dataSource.getRepository(CallSession).countBy({ callId, open: 1, ...(userId ? { userId } : {}) });

  async function bigCall(host: number): Promise<CreatedCall> {
    return createCall(a.http, host, { isPublic: true, maxParticipants: 500 });
  }

  it('a join racing an admin removal never leaves the removed member in the call', async () => {
    const call = await bigCall(user(1));
    const members = Array.from({ length: MEMBERS }, (_, i) => user(100 + i));
    for (const m of members) {
      await join(a.http, call.callId, as.member(m)).expect(200);
      await leave(a.http, call.callId, as.member(m)).expect(200);
    }
    const results = await Promise.all(members.map((m) => Promise.all([join(a.http, call.callId, as.member(m)), remove(b, call.callId, m)])));
    for (const [joined, removed] of results) {
      expect(removed.status).toBe(200);
      expect([200, 403]).toContain(joined.status);
    }
    expect(await openSessions(call.callId)).toBe(0);
    // Removed means out: no heartbeat, no rejoin.
    for (const m of members.slice(0, 5)) {
      await a.http.post(`/api/calling/${call.callId}/heartbeat`).set(as.member(m)).expect(403);
      await join(b.http, call.callId, as.member(m)).expect(403);
    }
  });

  it('a repeated join racing the member’s own leave or a removal answers without a 500', async () => {
    const call = await bigCall(user(2));
    const members = Array.from({ length: MEMBERS }, (_, i) => user(300 + i));
    for (const m of members) await join(a.http, call.callId, as.member(m)).expect(200);
    const results = await Promise.all(
      members.map((m, i) =>
        Promise.all([join(a.http, call.callId, as.member(m)), i % 2 === 0 ? leave(b.http, call.callId, as.member(m)) : remove(b, call.callId, m)]),
      ),
    );
    for (const [joined, other] of results) {
      expect([200, 403]).toContain(statusOf(joined));
      expect(statusOf(other)).toBe(200);
    }
    // The removed half is out whatever the order; the other half is in exactly when its join came last.
    for (const [i, m] of members.entries()) if (i % 2 === 1) expect(await openSessions(call.callId, m)).toBe(0);
  });

  it('a media switch racing leave, removal or end leaves no open segment on a closed session', async () => {
    const calls = [await bigCall(user(3)), await bigCall(user(4)), await bigCall(user(5))];
    const members = Array.from({ length: MEMBERS }, (_, i) => user(500 + i));
    for (const call of calls) for (const m of members) await join(a.http, call.callId, as.member(m)).expect(200);
    const [byLeave, byRemoval, byEnd] = calls;
    const switches = await Promise.all([
      ...members.map((m) => Promise.all([media(a, byLeave.callId, m, 'audio'), leave(b.http, byLeave.callId, as.member(m))])),
      ...members.map((m) => Promise.all([media(a, byRemoval.callId, m, 'audio'), remove(b, byRemoval.callId, m)])),
      ...members.map((m) => Promise.all([media(a, byEnd.callId, m, 'audio'), m === members[0] ? b.http.post(`/api/calling/admin/${byEnd.callId}/end`).set(as.admin(ADMIN)) : Promise.resolve({ status: 200 })])),
    ]);
    for (const [switched, other] of switches) {
      expect([200, 403, 404]).toContain(switched.status);
      expect(other.status).toBe(200);
    }
    for (const call of calls) expect(await openSessions(call.callId)).toBe(0);
    const openSegments = await a.dataSource.getRepository(CallMediaSegment).createQueryBuilder('g').where('g.call_id IN (:...ids) AND g.ended_at IS NULL', { ids: calls.map((c) => c.callId) }).getCount();
    expect(openSegments).toBe(0);
  });

  it('an admin end racing many joins ends the call once, with no 500 and nobody left inside', async () => {
    const call = await bigCall(user(6));
    const members = Array.from({ length: MEMBERS }, (_, i) => user(700 + i));
    const half = Math.floor(members.length / 2);
    for (const m of members.slice(0, half)) await join(a.http, call.callId, as.member(m)).expect(200);
    const [ended, ...joins] = await Promise.all([
      b.http.post(`/api/calling/admin/${call.callId}/end`).set(as.admin(ADMIN)),
      ...members.map((m, i) => join(i % 2 === 0 ? a.http : b.http, call.callId, as.member(m))),
    ]);
    expect(ended.status).toBe(200);
    for (const res of joins) expect([200, 404]).toContain(res.status);
    expect(await openSessions(call.callId)).toBe(0);
    await b.http.post(`/api/calling/admin/${call.callId}/end`).set(as.admin(ADMIN)).expect(409);
  });

  it('a PATCH of maxParticipants racing many joins never leaves the cap below the live count', async () => {
    const call = await createCall(a.http, user(20), { isPublic: true, maxParticipants: 500 });
    const members = Array.from({ length: MEMBERS }, (_, i) => user(900 + i));
    const inside = Math.floor(MEMBERS / 4);
    for (const m of members.slice(0, inside)) await join(a.http, call.callId, as.member(m)).expect(200);
    const caps = Array.from({ length: 8 }, (_, i) => inside + i * Math.ceil(MEMBERS / 8));
    const results = await Promise.all([
      ...members.slice(inside).map((m, i) => join(i % 2 === 0 ? a.http : b.http, call.callId, as.member(m))),
      ...caps.map((cap, i) => (i % 2 === 0 ? b : a).http.patch(`/api/calling/${call.callId}`).set(as.member(user(20))).send({ maxParticipants: cap })),
    ]);
    const joins = results.slice(0, members.length - inside);
    const patches = results.slice(members.length - inside);
    for (const res of joins) expect([[200, undefined], [400, 'CALL_FULL']]).toContainEqual([res.status, res.body.code]);
    for (const res of patches) expect([[200, undefined], [409, 'CAPACITY_BELOW_LIVE']]).toContainEqual([res.status, res.body.code]);
    expect(patches.some((res) => res.status === 200)).toBe(true);
    // Each accepted cap held the members in the call when it was set (the answer's live count).
    for (const res of patches.filter((r) => r.status === 200)) expect(res.body.participant_count).toBeLessThanOrEqual(res.body.max_participants);
    const stored = await a.dataSource.getRepository(Call).findOneByOrFail({ id: call.callId });
    expect(stored.activeParticipants).toBeLessThanOrEqual(stored.maxParticipants);
    expect(stored.activeParticipants).toBe(inside + joins.filter((res) => res.status === 200).length);
  });

  it('a removal by the host on one instance refuses the rejoin and the token at once on the other', async () => {
    const host = user(30);
    const call = await createCall(b.http, host, { isPublic: true, maxParticipants: 500 });
    const members = Array.from({ length: MEMBERS }, (_, i) => user(1100 + i));
    for (const m of members) {
      await join(a.http, call.callId, as.member(m)).expect(200);
      await token(a.http, as.member(m), call.channelName, 50_000 + (m - base)).expect(200);
    }
    // Half are removed while they rejoin on the other instance (the race), then every one of them is refused.
    const raced = await Promise.all(
      members.map((m, i) => Promise.all([i % 2 === 0 ? join(a.http, call.callId, as.member(m)) : Promise.resolve({ status: 200 }), b.http.delete(`/api/calling/${call.callId}/participants/${m}`).set(as.member(host))])),
    );
    for (const [joined, removed] of raced) {
      expect([200, 403]).toContain(joined.status);
      expect(removed.status).toBe(200);
    }
    for (const m of members) {
      expect((await join(a.http, call.callId, as.member(m))).body.code).toBe('PARTICIPANT_REMOVED');
      expect((await token(a.http, as.member(m), call.channelName, 50_000 + (m - base))).status).toBe(403);
      expect((await a.http.post('/api/calling/token').set(as.member(m)).send({ channelName: call.channelName })).status).toBe(403);
    }
    expect(await openSessions(call.callId)).toBe(0);
  });

  it('assigns 200 concurrent joiners 200 different uids, never 0, each bound once', async () => {
    const call = await createCall(a.http, user(40), { isPublic: true, maxParticipants: 500 });
    const members = Array.from({ length: 200 }, (_, i) => user(1300 + i));
    const joins = await Promise.all(members.map((m, i) => join(i % 2 === 0 ? a.http : b.http, call.callId, as.member(m))));
    for (const res of joins) expect(res.status).toBe(200);
    const uids = joins.map((res) => res.body.uid as number);
    expect(new Set(uids).size).toBe(200);
    for (const uid of uids) expect(uid >= 1 && uid <= 4_294_967_295 && Number.isInteger(uid)).toBe(true);
    const bindings = await a.dataSource.getRepository(UidBinding).findBy({ callId: call.callId, assigned: 1 });
    expect(bindings).toHaveLength(200);
    expect(new Map(bindings.map((b) => [b.userId, b.uid]))).toEqual(new Map(members.map((m, i) => [m, uids[i]])));
  });

  it('two promotions at maxSpeakers - 1 on two instances: exactly one SPEAKERS_FULL per stage, the count exact', async () => {
    const STAGES = usingMysql ? 12 : 6;
    const stages = await Promise.all(Array.from({ length: STAGES }, (_, i) => createCall(a.http, user(50 + i), { isPublic: true, mode: 'stage', maxSpeakers: 3, maxParticipants: 50 })));
    const candidates = (i: number) => [user(1600 + i * 10), user(1601 + i * 10), user(1602 + i * 10)];
    for (const [i, stage] of stages.entries()) {
      for (const m of candidates(i)) await join(a.http, stage.callId, as.member(m)).expect(200);
      // The host and one promoted member: one seat left (maxSpeakers - 1 taken).
      await a.http.put(`/api/calling/${stage.callId}/speakers/${candidates(i)[0]}`).set(as.member(user(50 + i))).expect(200);
    }
    const raced = await Promise.all(
      stages.map((stage, i) =>
        Promise.all([
          a.http.put(`/api/calling/${stage.callId}/speakers/${candidates(i)[1]}`).set(as.member(user(50 + i))),
          // The other instance, and the other way to a seat half the time: a new moderator.
          i % 2 === 0
            ? b.http.put(`/api/calling/${stage.callId}/speakers/${candidates(i)[2]}`).set(as.admin(ADMIN))
            : b.http.put(`/api/calling/${stage.callId}/members/${candidates(i)[2]}`).set(as.member(user(50 + i))).send({ role: 'moderator' }),
        ]),
      ),
    );
    for (const [first, second] of raced) {
      const outcomes = [first, second].map((res) => [res.status, res.body.code]).sort();
      expect(outcomes).toEqual([
        [200, undefined],
        [409, 'SPEAKERS_FULL'],
      ]);
    }
    for (const stage of stages) {
      const stored = await a.dataSource.getRepository(Call).findOneByOrFail({ id: stage.callId });
      expect([stored.speakerCount, stored.maxSpeakers]).toEqual([3, 3]);
    }
  });

  it('a step-down racing promotions on two instances frees one seat: the count stays exact', async () => {
    const host = user(70);
    const stage = await createCall(a.http, host, { isPublic: true, mode: 'stage', maxSpeakers: 4, maxParticipants: 100 });
    const members = Array.from({ length: 8 }, (_, i) => user(1800 + i));
    for (const m of members) await join(a.http, stage.callId, as.member(m)).expect(200);
    for (const m of members.slice(0, 3)) await a.http.put(`/api/calling/${stage.callId}/speakers/${m}`).set(as.member(host)).expect(200);
    // Full (host + 3): one steps down on one instance while five are promoted on both.
    const [steppedDown, ...promotions] = await Promise.all([
      b.http.delete(`/api/calling/${stage.callId}/speakers/${members[0]}`).set(as.member(members[0])),
      ...members.slice(3).map((m, i) => (i % 2 === 0 ? a : b).http.put(`/api/calling/${stage.callId}/speakers/${m}`).set(as.member(host))),
    ]);
    expect(steppedDown.status).toBe(200);
    for (const res of promotions) expect([[200, undefined], [409, 'SPEAKERS_FULL']]).toContainEqual([res.status, res.body.code]);
    // One seat was freed: at most one promotion took it (none when they all came before the step-down).
    const seated = promotions.filter((res) => res.status === 200).length;
    expect(seated).toBeLessThanOrEqual(1);
    const stored = await a.dataSource.getRepository(Call).findOneByOrFail({ id: stage.callId });
    expect(stored.speakerCount).toBe(3 + seated);
  });

  it('a PATCH of maxSpeakers racing promotions on two instances never leaves more speakers than the cap', async () => {
    const host = user(80);
    const stage = await createCall(a.http, host, { isPublic: true, mode: 'stage', maxSpeakers: 10, maxParticipants: 100 });
    const members = Array.from({ length: 8 }, (_, i) => user(1900 + i));
    for (const m of members) await join(a.http, stage.callId, as.member(m)).expect(200);
    const [patched, ...promotions] = await Promise.all([
      b.http.patch(`/api/calling/${stage.callId}`).set(as.member(host)).send({ maxSpeakers: 4 }),
      ...members.map((m, i) => (i % 2 === 0 ? a : b).http.put(`/api/calling/${stage.callId}/speakers/${m}`).set(as.member(host))),
    ]);
    expect([[200, undefined], [409, 'CAPACITY_BELOW_LIVE']]).toContainEqual([patched.status, patched.body.code]);
    for (const res of promotions) expect([[200, undefined], [409, 'SPEAKERS_FULL']]).toContainEqual([res.status, res.body.code]);
    const stored = await a.dataSource.getRepository(Call).findOneByOrFail({ id: stage.callId });
    expect(stored.speakerCount).toBe(1 + promotions.filter((res) => res.status === 200).length);
    expect(stored.speakerCount).toBeLessThanOrEqual(stored.maxSpeakers!);
  });

  it('gives no token for a channel name that only looks like the call’s (case, trailing spaces)', async () => {
    const member = user(8);
    const call = await bigCall(member);
    await join(a.http, call.callId, as.member(member)).expect(200);
    await token(a.http, as.member(member), call.channelName, 77).expect(200);
    for (const other of [call.channelName.toUpperCase(), `${call.channelName} `, `${call.channelName}  `]) {
      const res = await token(a.http, as.member(member), other, 77);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('CALL_ACCESS_DENIED');
    }
  });
});
