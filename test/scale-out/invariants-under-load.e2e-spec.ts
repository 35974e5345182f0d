/**
 * A crowd on two instances sharing one MariaDB: members join, leave, switch media, send
 * heartbeats and ask for tokens (each member from two lanes at once) while an admin removes some of them and ends a call, all at
 * once. Afterwards every participation invariant (test/support/invariants.ts) must hold, no
 * request may have answered 5xx, and every 2xx join must have its row.
 */
import { randomInt } from 'node:crypto';
import TestAgent from 'supertest/lib/agent';
import { CallSession } from '../../src/calls/entities/call-session.entity';
import { createCall, CreatedCall, join, leave, token } from '../support/calls';
import { brokenInvariants } from '../support/invariants';
import { as } from '../support/jwt';
import { createTestDatabase, startApp, TestApp } from '../support/test-app';

const base = randomInt(1_000_000, 1_900_000_000);
const user = (n: number): number => base + n;
const ADMIN = user(0);
const MEMBERS = 60;
const STEPS = 12;

/** A small seeded generator (mulberry32), so a failing run can be replayed with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The answers each request may get in this crowd (status and code). */
const EXPECTED: Record<string, string[]> = {
  join: ['200', '400 CALL_FULL', '403 PARTICIPANT_REMOVED', '404 CALL_ENDED'],
  leave: ['200'],
  // The one admission rule says why a member without an open session is refused: removed, or the call ended.
  media: ['200', '403 NOT_A_PARTICIPANT', '403 PARTICIPANT_REMOVED', '404 CALL_ENDED'],
  heartbeat: ['200', '403 NOT_A_PARTICIPANT', '403 PARTICIPANT_REMOVED', '404 CALL_ENDED'],
  token: ['200', '403 CALL_ACCESS_DENIED'],
  remove: ['200', '404 PARTICIPANT_NOT_FOUND'],
  end: ['200'],
};

interface Answer {
  what: string;
  status: number;
  body: Record<string, unknown>;
}

describe('participation invariants under concurrent load on two instances', () => {
  let db: { url: string; drop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([startApp({}, db.url), startApp({}, db.url)]);
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await db?.drop();
  });

  it('holds every invariant, answers no 5xx, and stores every admitted join', async () => {
    const seed = Number(process.env.STRESS_SEED ?? randomInt(1, 2 ** 31));
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    // Small caps, so some joins meet a full call.
    const calls: CreatedCall[] = await Promise.all([0, 1, 2].map((i) => createCall(a.http, user(1 + i), { isPublic: true, maxParticipants: 20 })));
    const answers: Answer[] = [];
    const admitted: Array<{ callId: number; userId: number; joinedAt: string }> = [];
    const record = async (what: string, request: Promise<{ status: number; body: unknown }>): Promise<void> => {
      const res = await request;
      answers.push({ what, status: res.status, body: res.body as Record<string, unknown> });
    };

    const member = async (n: number): Promise<void> => {
      const id = user(100 + n);
      const auth = as.member(id);
      for (let step = 0; step < STEPS; step += 1) {
        const http: TestAgent = next() < 0.5 ? a.http : b.http;
        const call = pick(calls);
        const roll = next();
        if (roll < 0.35) {
          const res = await join(http, call.callId, auth, next() < 0.3 ? { media: 'audio' } : undefined);
          answers.push({ what: 'join', status: res.status, body: res.body });
          if (res.status === 200) admitted.push({ callId: call.callId, userId: id, joinedAt: res.body.joinedAt as string });
        } else if (roll < 0.5) {
          await record('leave', leave(http, call.callId, auth));
        } else if (roll < 0.7) {
          await record('media', http.post(`/api/calling/${call.callId}/media`).set(auth).send({ media: pick(['audio', 'video'] as const) }));
        } else if (roll < 0.85) {
          await record('heartbeat', http.post(`/api/calling/${call.callId}/heartbeat`).set(auth));
        } else {
          await record('token', token(http, auth, call.channelName, 1_000 + n));
        }
      }
    };

    const admin = async (): Promise<void> => {
      for (let i = 0; i < 30; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, next() * 40));
        const http = i % 2 === 0 ? a.http : b.http;
        await record('remove', http.delete(`/api/calling/admin/${pick(calls).callId}/participants/${user(100 + Math.floor(next() * MEMBERS))}`).set(as.admin(ADMIN)));
        if (i === 15) await record('end', http.post(`/api/calling/admin/${calls[0].callId}/end`).set(as.admin(ADMIN)));
      }
    };

    // Two lanes per member: a client that double-sends races its own requests too.
    await Promise.all([...Array.from({ length: MEMBERS * 2 }, (_, n) => member(n % MEMBERS)), admin()]);

    const failures = answers.filter((answer) => answer.status >= 500);
    expect({ seed, failures }).toEqual({ seed, failures: [] });
    // Everything the crowd was told is one of the documented answers.
    const unexpected = answers.filter((answer) => !EXPECTED[answer.what].includes(`${answer.status} ${String(answer.body.code ?? '')}`.trim()));
    expect({ seed, unexpected }).toEqual({ seed, unexpected: [] });
    expect(answers.filter((answer) => answer.what === 'join' && answer.status === 200).length).toBeGreaterThan(50);
    expect(answers.find((answer) => answer.what === 'end')?.status).toBe(200);

    expect({ seed, broken: await brokenInvariants(a.dataSource) }).toEqual({ seed, broken: {} });

    // Every 2xx join has its row (a repeated join answers with the session it already had).
    const sessions = await a.dataSource.getRepository(CallSession).find({ select: { callId: true, userId: true, joinedAt: true } });
    const stored = new Set(sessions.map((s) => `${s.callId}:${s.userId}:${s.joinedAt.toISOString()}`));
    expect(admitted.filter((j) => !stored.has(`${j.callId}:${j.userId}:${j.joinedAt}`))).toEqual([]);
  }, 60_000);
});
