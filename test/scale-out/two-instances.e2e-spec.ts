/**
 * Two service instances on one MariaDB and one Redis (runs with `npm run test:mysql` only:
 * SQLite in memory cannot be shared between instances).
 */
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CallSession } from '../../src/calls/entities/call-session.entity';
import { MIGRATIONS } from '../../src/database/migrations';
import { baseChildEnv, freePort, startTsNode, RunningChild } from '../support/child-process';
import { createCall, join, leave, token } from '../support/calls';
import { as } from '../support/jwt';
import { createTestDatabase, startApp, TestApp } from '../support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Fresh ids every run, so rate-limit counters left in Redis by an earlier run never matter.
const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number) => base + n;

describe('two instances, one database, one Redis', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Started together on an empty database: both try to migrate at once.
    [a, b] = await Promise.all([startApp({ REDIS_URL }, db.url), startApp({ REDIS_URL }, db.url)]);
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await db?.drop();
  });

  it('applied every migration exactly once', async () => {
    const rows: Array<{ name: string }> = await a.dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    await a.http.get('/api/health').expect(200);
    await b.http.get('/api/health').expect(200);
  });

  it('holds the per-user token limit across both: 60 accepted in total, not 120', async () => {
    const member = user(1);
    const call = await createCall(a.http, member, { isPublic: true });
    await join(a.http, call.callId, as.member(member)).expect(200);
    const statuses: number[] = [];
    for (let i = 0; i < 70; i += 1) {
      const via = i % 2 === 0 ? a : b;
      statuses.push((await token(via.http, as.member(member), call.channelName, 7)).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });

  it('admits exactly maxParticipants of 40 concurrent joins split across both', async () => {
    const call = await createCall(a.http, user(2), { isPublic: true, maxParticipants: 12 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => join((i % 2 === 0 ? a : b).http, call.callId, as.member(user(100 + i)))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(12);
    expect(results.filter((r) => r.status === 400)).toHaveLength(28);
    const open = await a.dataSource.getRepository(CallSession).countBy({ callId: call.callId, open: 1 });
    expect(open).toBe(12);
  });

  it('a leave on one instance refuses the next token on the other at once', async () => {
    const member = user(3);
    const call = await createCall(a.http, member, { isPublic: true });
    await join(a.http, call.callId, as.member(member)).expect(200);
    await token(b.http, as.member(member), call.channelName, 9).expect(200);
    await leave(a.http, call.callId, as.member(member)).expect(200);
    await token(b.http, as.member(member), call.channelName, 9).expect(403);
  });

  it('a removal or an end on one instance refuses the next token on the other at once', async () => {
    const host = user(4);
    const guest = user(5);
    const call = await createCall(a.http, host, { isPublic: true });
    await join(a.http, call.callId, as.member(host)).expect(200);
    await join(b.http, call.callId, as.member(guest)).expect(200);
    await token(b.http, as.member(guest), call.channelName, 11).expect(200);
    await token(b.http, as.member(host), call.channelName, 12).expect(200);
    await a.http.delete(`/api/calling/admin/${call.callId}/participants/${guest}`).set(as.admin(user(6))).expect(200);
    await token(b.http, as.member(guest), call.channelName, 11).expect(403);
    await token(b.http, as.member(host), call.channelName, 12).expect(200);
    await a.http.post(`/api/calling/admin/${call.callId}/end`).set(as.admin(user(6))).expect(200);
    await token(b.http, as.member(host), call.channelName, 12).expect(403);
  });
});

describe('kill -9 of one instance under load', () => {
  let db: { url: string; drop(): Promise<void> };
  const children: RunningChild[] = [];
  let ports: number[] = [];

  async function healthy(port: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`instance on ${port} never became healthy`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ports = [await freePort(), await freePort()];
    for (const port of ports) {
      children.push(
        startTsNode('src/main.ts', [], baseChildEnv({ NODE_ENV: 'development', PORT: String(port), DATABASE_URL: db.url, REDIS_URL, LOG_LEVEL: 'warn', AGORA_HEALTH_URL: 'off', JOBS_ENABLED: 'false' })),
      );
    }
    await Promise.all(ports.map((port) => healthy(port)));
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await db?.drop();
  });

  it('loses no committed session, and the other instance keeps serving', async () => {
    const [victim, survivor] = ports.map((port) => request(`http://127.0.0.1:${port}`));
    const calls = await Promise.all(Array.from({ length: 4 }, (_, i) => createCall(survivor, user(500 + i), { isPublic: true, maxParticipants: 500 })));
    const accepted: Array<{ callId: number; userId: number }> = [];
    let n = 0;
    const fire = async (): Promise<void> => {
      for (;;) {
        const id = user(1000 + n);
        const call = calls[n % calls.length];
        n += 1;
        const res = await join(victim, call.callId, as.member(id)).then(
          (r) => r,
          () => undefined,
        );
        if (!res) return; // the connection died with the process
        if (res.status === 200) accepted.push({ callId: call.callId, userId: id });
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, fire));
    await new Promise((r) => setTimeout(r, 1500));
    children[0].child.kill('SIGKILL');
    await load;
    await children[0].exited;
    expect(accepted.length).toBeGreaterThan(20);

    const check = new DataSource({ type: 'mysql', url: db.url, entities: [CallSession] });
    await check.initialize();
    try {
      const open = await check.getRepository(CallSession).find({ where: { open: 1 }, select: { callId: true, userId: true } });
      const stored = new Set(open.map((s) => `${s.callId}:${s.userId}`));
      const missing = accepted.filter((a) => !stored.has(`${a.callId}:${a.userId}`));
      expect(missing).toEqual([]);
      // Every slot counted matches a real open session: no half-written join.
      const counts: Array<{ id: number; active: number; open: number }> = await check.query(
        'SELECT c.id, c.active_participants AS active, (SELECT COUNT(*) FROM call_sessions s WHERE s.call_id = c.id AND s.open = 1) AS open FROM calls c',
      );
      for (const row of counts) expect(Number(row.active)).toBe(Number(row.open));
    } finally {
      await check.destroy();
    }

    await survivor.get('/api/health').expect(200);
    await join(survivor, calls[0].callId, as.member(user(999_999))).expect(200);
  }, 60_000);
});
