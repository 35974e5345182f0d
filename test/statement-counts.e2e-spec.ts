/**
 * How many SQL statements the hot writes send, counted at TypeORM's query logger (every
 * statement a request sends, reads outside the transaction, BEGIN and COMMIT included). They may
 * go down, never up. With analytics still written inside the join and leave transactions they
 * were 25 to 29 for a member's first join of the day, 9 for a repeat join and 9 (10 on MariaDB)
 * for a leave. `SHOW_STATEMENTS=1` prints them.
 * A member's first join in a call also binds their assigned uid (one INSERT); repeat joins read
 * the binding in the member-state query they make anyway.
 */
import { createCall, join, leave } from './support/calls';
import { as } from './support/jwt';
import { startApp, TestApp, usingMysql } from './support/test-app';

describe('statements per join and leave', () => {
  let t: TestApp;
  let statements: string[] = [];

  beforeAll(async () => {
    t = await startApp();
    const logger = t.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (query, parameters, runner) => {
      statements.push(query);
      return logQuery(query, parameters, runner);
    };
  });
  afterAll(async () => t?.close());

  async function counted(work: () => Promise<unknown>): Promise<number> {
    statements = [];
    await work();
    if (process.env.SHOW_STATEMENTS) console.log(statements.map((q) => q.replace(/\s+/g, ' ').slice(0, 90)).join('\n'));
    return statements.length;
  }

  it('a join and a leave send only what they change: 8 for a first join of a call, 6 for a repeat join, 6 for a leave', async () => {
    const [first, second] = [await createCall(t.http, 5000, { isPublic: true }), await createCall(t.http, 5000, { isPublic: true })];
    // The member is known already (their first request ever also records their OTO#).
    await join(t.http, first.callId, as.member(5002)).expect(200);
    const counts = {
      firstJoinOfCall: await counted(() => join(t.http, second.callId, as.member(5002)).expect(200)),
      leave: await counted(() => leave(t.http, second.callId, as.member(5002)).expect(200)),
      repeatJoin: await counted(() => join(t.http, second.callId, as.member(5002)).expect(200)),
      joinWhileIn: await counted(() => join(t.http, second.callId, as.member(5002)).expect(200)),
    };
    expect(counts).toEqual({ firstJoinOfCall: 8, leave: 6, repeatJoin: 6, joinWhileIn: 4 });
  });

  it('a call with a lobby costs more, and only its own joins: a knock, a knock while waiting, and the join once admitted', async () => {
    const call = await createCall(t.http, 5100, { isPublic: true, lobby: true });
    const other = await createCall(t.http, 5100, { isPublic: true });
    await join(t.http, other.callId, as.member(5102)).expect(200);
    const knock = await counted(() => join(t.http, call.callId, as.member(5102)).expect(202));
    const knockWhileWaiting = await counted(() => join(t.http, call.callId, as.member(5102)).expect(202));
    await t.http.post(`/api/calling/${call.callId}/lobby/5102/admit`).set(as.member(5100)).expect(200);
    const admittedJoin = await counted(() => join(t.http, call.callId, as.member(5102)).expect(200));
    const leaveLobbyCall = await counted(() => leave(t.http, call.callId, as.member(5102)).expect(200));
    // A first knock: the join's transaction (slot, state, lobby entry) rolls back, then the knock's
    // own under the call's lock (the lock itself is one more statement on MariaDB): state, entry,
    // the wait, its event, the place. Asking again while waiting is answered from the join's own
    // reads; the admitted member's join reads the entry once more than a call without a lobby.
    expect({ knock, knockWhileWaiting, admittedJoin, leaveLobbyCall }).toEqual({ knock: usingMysql ? 13 : 12, knockWhileWaiting: 6, admittedJoin: 9, leaveLobbyCall: 6 });
  });

  it('a listener joining and leaving a stage sends the same (issue 25: no round trip added for listeners)', async () => {
    const [first, second] = [await createCall(t.http, 5010, { isPublic: true, mode: 'stage' }), await createCall(t.http, 5010, { isPublic: true, mode: 'stage' })];
    await join(t.http, first.callId, as.member(5012)).expect(200);
    const counts = {
      firstJoinOfCall: await counted(() => join(t.http, second.callId, as.member(5012)).expect(200)),
      leave: await counted(() => leave(t.http, second.callId, as.member(5012)).expect(200)),
      repeatJoin: await counted(() => join(t.http, second.callId, as.member(5012)).expect(200)),
      joinWhileIn: await counted(() => join(t.http, second.callId, as.member(5012)).expect(200)),
    };
    expect(counts).toEqual({ firstJoinOfCall: 8, leave: 6, repeatJoin: 6, joinWhileIn: 4 });
  });
});
