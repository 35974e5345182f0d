/**
 * How many SQL statements the hot writes send, counted at TypeORM's query logger (every
 * statement, BEGIN and COMMIT included). They may go down, never up. Before the join read the
 * member's state under the call's lock they were 31, 9 (10 on MariaDB, which takes the call's
 * row lock), 9 and 8. A member's first join in a call binds their assigned uid: one INSERT more
 * (30 -> 31); repeat joins read the binding in the member-state query they make anyway.
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
    return statements.length;
  }

  it('stays within the counts measured before', async () => {
    const call = await createCall(t.http, 5000, { isPublic: true });
    await join(t.http, call.callId, as.member(5001)).expect(200);
    await leave(t.http, call.callId, as.member(5001)).expect(200);
    const counts = {
      firstJoinOfDay: await counted(() => join(t.http, call.callId, as.member(5002)).expect(200)),
      leave: await counted(() => leave(t.http, call.callId, as.member(5002)).expect(200)),
      repeatJoin: await counted(() => join(t.http, call.callId, as.member(5002)).expect(200)),
      joinWhileIn: await counted(() => join(t.http, call.callId, as.member(5002)).expect(200)),
    };
    expect(counts).toEqual({ firstJoinOfDay: 31, leave: usingMysql ? 10 : 9, repeatJoin: 8, joinWhileIn: 5 });
  });
});
