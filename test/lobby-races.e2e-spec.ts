/**
 * Races at the lobby (issue 24): an admission and a denial at once, admit-all while members
 * knock, members knocking while the host joins a wait-for-host call. Every member must end in
 * exactly one state that its answers, the lobby list, the events and its next join agree on. On
 * MariaDB the racing requests go to two instances sharing the database (where the races are
 * real); on SQLite, to one instance. The participation invariants are checked after each case.
 */
import { randomInt } from 'node:crypto';
import { createCall, join } from './support/calls';
import { brokenInvariants } from './support/invariants';
import { as } from './support/jwt';
import { createTestDatabase, startApp, TestApp, usingMysql } from './support/test-app';

const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number): number => base + n;
const MEMBERS = usingMysql ? 40 : 20;

describe('lobby races', () => {
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

  const members = (from: number): number[] => Array.from({ length: MEMBERS }, (_, i) => user(from + i));
  const rowsOf = async (callId: number): Promise<Map<number, string[]>> => {
    const rows: Array<{ user_id: number | string; state: string }> = await a.dataSource.query('SELECT user_id, state FROM call_lobby WHERE call_id = ?', [callId]);
    const byUser = new Map<number, string[]>();
    for (const row of rows) byUser.set(Number(row.user_id), [...(byUser.get(Number(row.user_id)) ?? []), row.state]);
    return byUser;
  };
  /** Each member's lobby events, in the order they were written. */
  const eventsOf = async (callId: number): Promise<Map<number, string[]>> => {
    const rows: Array<{ user_id: number | string; type: string }> = await a.dataSource.query("SELECT user_id, type FROM call_events WHERE call_id = ? AND type LIKE 'lobby.%' ORDER BY id", [callId]);
    const byUser = new Map<number, string[]>();
    for (const row of rows) byUser.set(Number(row.user_id), [...(byUser.get(Number(row.user_id)) ?? []), row.type]);
    return byUser;
  };
  const waitingList = async (callId: number, host: number): Promise<string[]> =>
    ((await a.http.get(`/api/calling/${callId}/lobby`).set(as.member(host)).expect(200)).body.waiting as Array<{ oto_number: string }>).map((w) => w.oto_number);
  const otoOf = async (userId: number): Promise<string> => {
    const rows: Array<{ oto_number: string }> = await a.dataSource.query('SELECT oto_number FROM users WHERE id = ?', [userId]);
    return rows[0].oto_number;
  };

  it('an admission and a denial at once leave each member admitted or denied, as the later decision says', async () => {
    const host = user(1);
    const call = await createCall(a.http, host, { isPublic: true, lobby: true, maxParticipants: 500 });
    const knockers = members(100);
    for (const m of knockers) await join(a.http, call.callId, as.member(m)).expect(202);
    const decisions = await Promise.all(
      knockers.map((m, i) => {
        const admit = (via: TestApp) => via.http.post(`/api/calling/${call.callId}/lobby/${m}/admit`).set(as.member(host));
        const deny = (via: TestApp) => via.http.post(`/api/calling/${call.callId}/lobby/${m}/deny`).set(as.member(host));
        return Promise.all(i % 2 === 0 ? [admit(a), deny(b)] : [deny(a), admit(b)]);
      }),
    );
    for (const pair of decisions) expect(pair.map((res) => res.status)).toEqual([200, 200]);
    const rows = await rowsOf(call.callId);
    const events = await eventsOf(call.callId);
    for (const m of knockers) {
      const states = rows.get(m)!;
      expect(states).toHaveLength(1);
      expect(['admitted', 'denied']).toContain(states[0]);
      // The member's last event tells the state they are in.
      expect(events.get(m)!.at(-1)).toBe(`lobby.${states[0]}`);
      const next = await join(b.http, call.callId, as.member(m));
      if (states[0] === 'admitted') expect(next.status).toBe(200);
      else expect([next.status, next.body.code]).toEqual([403, 'LOBBY_DENIED']);
    }
    expect(await waitingList(call.callId, host)).toEqual([]);
  });

  it('admit-all while members knock admits each member once or leaves them waiting, never both', async () => {
    const host = user(2);
    const call = await createCall(a.http, host, { isPublic: true, lobby: true, maxParticipants: 500 });
    const knockers = members(300);
    // Half knocked before; the other half knock while admit-all runs.
    const early = knockers.slice(0, MEMBERS / 2);
    const late = knockers.slice(MEMBERS / 2);
    for (const m of early) await join(a.http, call.callId, as.member(m)).expect(202);
    const [all, ...knocks] = await Promise.all([
      b.http.post(`/api/calling/${call.callId}/lobby/admit-all`).set(as.member(host)),
      ...late.map((m, i) => join(i % 2 === 0 ? a.http : b.http, call.callId, as.member(m))),
    ]);
    expect(all.status).toBe(200);
    for (const knock of knocks) expect(knock.status).toBe(202);
    const admitted = new Set<string>(all.body.admitted);
    const waiting = new Set(await waitingList(call.callId, host));
    const rows = await rowsOf(call.callId);
    const events = await eventsOf(call.callId);
    for (const m of knockers) {
      const oto = await otoOf(m);
      expect(rows.get(m)).toHaveLength(1);
      expect(admitted.has(oto) !== waiting.has(oto)).toBe(true);
      if (early.includes(m)) expect(admitted.has(oto)).toBe(true);
      expect(events.get(m)).toEqual(admitted.has(oto) ? ['lobby.waiting', 'lobby.admitted'] : ['lobby.waiting']);
      expect((await join(a.http, call.callId, as.member(m))).status).toBe(admitted.has(oto) ? 200 : 202);
    }
  });

  it('members knocking while the host joins a wait-for-host call all come in: nobody is left waiting', async () => {
    const host = user(3);
    const call = await createCall(a.http, host, { isPublic: true, waitForHost: true, maxParticipants: 500 });
    const knockers = members(500);
    const [hosted, ...knocks] = await Promise.all([
      join(b.http, call.callId, as.member(host)),
      ...knockers.map((m, i) => join(i % 2 === 0 ? a.http : b.http, call.callId, as.member(m))),
    ]);
    expect(hosted.status).toBe(200);
    for (const knock of knocks) expect([200, 202]).toContain(knock.status);
    expect(await waitingList(call.callId, host)).toEqual([]);
    const events = await eventsOf(call.callId);
    for (const [i, m] of knockers.entries()) {
      // Waited, then admitted by the host's arrival exactly once; or came straight in.
      expect(events.get(m) ?? []).toEqual(knocks[i].status === 202 ? ['lobby.waiting', 'lobby.admitted'] : []);
      expect((await join(a.http, call.callId, as.member(m))).status).toBe(200);
    }
  });
});
