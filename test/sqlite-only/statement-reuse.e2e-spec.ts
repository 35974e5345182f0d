/**
 * SQLite only (the MariaDB run skips this folder): statements are prepared once and reused.
 * TypeORM writes numbers into the SQL text on SQLite; src/database/sqlite-statement-reuse.ts
 * binds them instead.
 */
import { createCall, join, leave, token } from '../support/calls';
import { as } from '../support/jwt';
import { startApp, TestApp } from '../support/test-app';

const Database = require('better-sqlite3') as { prototype: { prepare: (sql: string) => unknown } };

describe('SQLite statement reuse', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(async () => t?.close());

  it('prepares each statement of join, token and leave once, whatever the ids', async () => {
    const call = await createCall(t.http, 1, { isPublic: true, maxParticipants: 100 });
    // One round first, so every statement of the flow has been seen.
    await join(t.http, call.callId, as.member(99)).expect(200);
    await token(t.http, as.member(99), call.channelName, 99).expect(200);
    await leave(t.http, call.callId, as.member(99)).expect(200);

    const prepared: string[] = [];
    const original = Database.prototype.prepare;
    Database.prototype.prepare = function (this: unknown, sql: string) {
      prepared.push(sql);
      return original.call(this, sql);
    };
    try {
      for (let i = 0; i < 20; i += 1) {
        await join(t.http, call.callId, as.member(100 + i)).expect(200);
        await token(t.http, as.member(100 + i), call.channelName, 100 + i).expect(200);
        await leave(t.http, call.callId, as.member(100 + i)).expect(200);
      }
    } finally {
      Database.prototype.prepare = original;
    }
    // First-time statements of new members (their users row, first join of the day) may still
    // appear once each; nothing is prepared per request.
    expect(new Set(prepared).size).toBe(prepared.length);
    expect(prepared.length).toBeLessThan(20);
  });
});
