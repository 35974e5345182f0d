/**
 * A frozen database: a MariaDB server this test starts itself (own data directory and port, never
 * the shared server) is stopped with SIGSTOP, the way a VM pause, a stuck disk or a long GC look
 * from outside: the kernel keeps accepting connections and taking bytes, and nobody answers.
 * - Every request answers 503 DATABASE_UNAVAILABLE with Retry-After within DB_QUERY_TIMEOUT_MS + 1 s
 *   and /api/health 503 within 3 s, whichever wait it is stuck in: a query in flight, a COMMIT, the
 *   wait for a pooled connection when every one is stuck, a new connection nobody greets.
 * - After SIGCONT the service serves again within one timeout, with no restart, and nothing
 *   half-written remains (the participation invariants; a create is all there or not at all).
 * - A listener that accepts connections and never answers, in place of the database.
 * MariaDB runs only (SQLite has no server to freeze).
 */
import { once } from 'node:events';
import { createServer, Server, Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DataSource, EntitySubscriberInterface } from 'typeorm';
import { Call } from '../src/calls/entities/call.entity';
import { CallMember } from '../src/calls/entities/call-member.entity';
import { HEALTH_DATABASE_WAIT_MS } from '../src/health/health.service';
import { DEFAULT_DB_QUERY_TIMEOUT_MS } from '../src/config/database.config';
import { IdempotencyKey } from '../src/idempotency/entities/idempotency-key.entity';
import { FakeClock } from './support/clock';
import { createCall, CreatedCall, join, leave, token } from './support/calls';
import { brokenInvariants } from './support/invariants';
import { as } from './support/jwt';
import { describeWithOwnMariadb, OwnMariadb, startOwnMariadb } from './support/own-mariadb';
import { startApp, TestApp, usingMysql } from './support/test-app';

const TIMEOUT_MS = 1000;
/**
 * The longest this process's event loop stood still during the current test: a timer cannot fire,
 * nor an answer go out, sooner than the loop runs. Tens of ms alone; more on a machine whose CPUs
 * are busy with other work, and then every bound below is late by as much.
 */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const stalledMs = () => Math.round(loopDelay.max / 1e6);
/** What the issue allows a request: the timeout and one second. */
const bound = (timeoutMs: number) => timeoutMs + 1000 + stalledMs();
const HEALTH_BOUND_MS = 3000;
const healthBound = () => HEALTH_BOUND_MS + stalledMs();
/** mysql2's pool size (data-source.options.ts). */
const POOL_SIZE = 20;
const FREEZE_MS = 4000;
const LANES = 30;

interface Answer {
  what: string;
  startedAt: number;
  ms: number;
  status: number;
  code?: string;
  retryAfter?: string;
  title?: string;
}

type Response = { status: number; body: unknown; headers: Record<string, string> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed(what: string, request: () => PromiseLike<Response>, title?: string): Promise<Answer> {
  const startedAt = Date.now();
  const res = await request();
  const body = (res.body ?? {}) as { code?: string };
  return { what, startedAt, ms: Date.now() - startedAt, status: res.status, code: body.code, retryAfter: res.headers['retry-after'], title };
}

const unavailable = (a: Answer) => a.status === 503 && a.code === 'DATABASE_UNAVAILABLE' && a.retryAfter === '5';

/**
 * The answers a request that did not meet the frozen database may get here: a member whose first
 * join the freeze refused is not in the call, so their token and call reads are refused.
 */
const SERVED: Record<string, string[]> = {
  join: ['200'],
  leave: ['200'],
  token: ['200', '403 CALL_ACCESS_DENIED'],
  get: ['200', '403 CALL_ACCESS_DENIED'],
  create: ['201'],
  'my-calls': ['200'],
  health: ['200'],
};
const served = (a: Answer) => SERVED[a.what].includes(a.code ? `${a.status} ${a.code}` : String(a.status));

/** Sockets of this process to `port` that are still open (a half-closed one counts). */
function openSocketsTo(port: number): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof Socket && h.remotePort === port && !h.destroyed).length;
}

/** A create either stored its call with its host's membership, or nothing. */
async function wholeOrAbsent(dataSource: DataSource, title: string): Promise<'whole' | 'absent' | 'half-written'> {
  const calls = await dataSource.getRepository(Call).findBy({ title });
  if (calls.length === 0) return 'absent';
  const hosts = await dataSource.getRepository(CallMember).countBy({ callId: calls[0].id, role: 'host' });
  return calls.length === 1 && hosts === 1 ? 'whole' : 'half-written';
}

/**
 * Freezes `server` as the next COMMIT on `dataSource` is about to be sent: TypeORM waits for the
 * subscriber's promise, and `freeze()` resolves once the server has stopped. `disarm()` removes
 * the subscriber and says whether it fired.
 */
function freezeAtNextCommit(dataSource: DataSource, server: OwnMariadb): { disarm(): boolean } {
  let fired = false;
  const subscriber: EntitySubscriberInterface = {
    beforeTransactionCommit: () => {
      if (fired) return;
      fired = true;
      return server.freeze();
    },
  };
  dataSource.subscribers.push(subscriber);
  return {
    disarm: () => {
      const at = dataSource.subscribers.indexOf(subscriber);
      if (at >= 0) dataSource.subscribers.splice(at, 1);
      return fired;
    },
  };
}

/** Sends GET /my-calls every `everyMs` until stopped, recording each answer. */
function poll(t: TestApp, everyMs: number): { answers: Answer[]; stop(): Promise<void> } {
  const answers: Answer[] = [];
  const inFlight: Promise<void>[] = [];
  const timer = setInterval(() => {
    inFlight.push(timed('my-calls', () => t.http.get('/api/calling/my-calls').set(as.member(9100))).then((a) => void answers.push(a)));
  }, everyMs);
  return {
    answers,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

describeWithOwnMariadb(usingMysql, 'a frozen database (SIGSTOP on a MariaDB server of this test)', () => {
  let server: OwnMariadb;
  let url: string;
  let t: TestApp;
  let calls: CreatedCall[];

  beforeAll(async () => {
    server = await startOwnMariadb();
    url = await server.createDatabase('calling');
    t = await startApp({ DB_QUERY_TIMEOUT_MS: String(TIMEOUT_MS) }, url);
    calls = await Promise.all([1, 2, 3].map((i) => createCall(t.http, 7000 + i, { isPublic: true, maxParticipants: 100 })));
  }, 60_000);
  beforeEach(() => {
    loopDelay.enable();
    loopDelay.reset();
  });
  afterEach(() => loopDelay.disable());
  afterAll(async () => {
    try {
      server?.thaw();
    } catch {
      // Not running (halted by a test).
    }
    await t?.app.close();
    await server?.stop();
  });

  it('under load: every request answers 503 within the bound, health 503 within 3 s, and the service serves again within one timeout of SIGCONT', async () => {
    const answers: Answer[] = [];
    let running = true;
    const lane = async (n: number): Promise<void> => {
      const auth = as.member(8000 + n);
      const call = calls[n % calls.length];
      for (let step = 0; running; step += 1) {
        const op = step % 6;
        if (op === 0) answers.push(await timed('join', () => join(t.http, call.callId, auth)));
        else if (op === 1) answers.push(await timed('token', () => token(t.http, auth, call.channelName, 100 + n)));
        else if (op === 2) answers.push(await timed('get', () => t.http.get(`/api/calling/${call.callId}`).set(auth)));
        else if (op === 3) {
          const title = `lane ${n} step ${step}`;
          answers.push(await timed('create', () => t.http.post('/api/calling/create').set(auth).send({ title }), title));
        } else if (op === 4) answers.push(await timed('my-calls', () => t.http.get('/api/calling/my-calls').set(auth)));
        else answers.push(await timed('leave', () => leave(t.http, call.callId, auth)));
      }
    };
    // More lanes than pooled connections: at the freeze every connection is stuck and requests wait for one.
    const load = Promise.all(Array.from({ length: LANES }, (_, n) => lane(n)));
    await sleep(600);

    await server.freeze();
    const frozenAt = Date.now();
    let thawedAt = frozenAt + FREEZE_MS;
    const health: Answer[] = [];
    const poller = poll(t, 100);
    let socketsWhileFrozen = 0;
    try {
      health.push(await timed('health', () => t.http.get('/api/health')));
      await sleep(Math.max(0, frozenAt + 2500 - Date.now()));
      health.push(await timed('health', () => t.http.get('/api/health')));
      // By now every connection that was stuck has timed out: none may linger half-open.
      socketsWhileFrozen = openSocketsTo(server.port);
      await sleep(Math.max(0, frozenAt + FREEZE_MS - Date.now()));
    } finally {
      server.thaw();
      thawedAt = Date.now();
    }
    await sleep(2 * TIMEOUT_MS + 500);
    running = false;
    await Promise.all([load, poller.stop()]);

    const all = [...answers, ...poller.answers, ...health];
    const at = (a: Answer) => ({ ...a, startedAt: a.startedAt - frozenAt });
    const polled = poller.answers.sort((x, y) => x.startedAt - y.startedAt);
    const firstServed = polled.find((a) => a.startedAt >= thawedAt && a.status === 200);
    const lastRefused = [...polled].reverse().find((a) => a.status !== 200);
    const report = {
      answers: all.length,
      health: health.map((a) => `${a.status} in ${a.ms} ms`),
      slowestRequestMs: Math.max(...all.filter((a) => a.what !== 'health').map((a) => a.ms)),
      sentDuringFreezeSlowestMs: Math.max(...all.filter((a) => a.startedAt >= frozenAt && a.startedAt < thawedAt && a.what !== 'health').map((a) => a.ms)),
      firstServedAfterThaw: firstServed && { sentAfterThawMs: firstServed.startedAt - thawedAt, answeredAfterThawMs: firstServed.startedAt + firstServed.ms - thawedAt },
      lastRefusedSentAfterThawMs: lastRefused && lastRefused.startedAt - thawedAt,
      socketsWhileFrozen,
      eventLoopStalledMs: stalledMs(),
    };
    // Before and after figures for the closing note.
    if (process.env.FREEZE_REPORT) process.stdout.write(`frozen database under load: ${JSON.stringify(report)}\n`);

    // Each answer is what it would be without the freeze, or 503 DATABASE_UNAVAILABLE with Retry-After...
    expect(all.filter((a) => !served(a) && !(a.what === 'health' ? a.status === 503 : unavailable(a))).map(at)).toEqual([]);
    // ... in time.
    expect(all.filter((a) => a.what !== 'health' && a.ms > bound(TIMEOUT_MS)).map(at)).toEqual([]);
    expect(health.map((a) => ({ status: a.status, inTime: a.ms <= healthBound() }))).toEqual(health.map(() => ({ status: 503, inTime: true })));
    // Sent while nothing could answer: refused, not served late.
    expect(all.filter((a) => a.startedAt > frozenAt + 50 && a.startedAt + bound(TIMEOUT_MS) < thawedAt && !(a.what === 'health' ? a.status === 503 : unavailable(a))).map(at)).toEqual([]);
    // Serving again by itself within one timeout of SIGCONT.
    const back = TIMEOUT_MS + stalledMs();
    expect(firstServed && firstServed.startedAt + firstServed.ms - thawedAt).toBeLessThanOrEqual(back);
    expect(all.filter((a) => a.startedAt > thawedAt + back && a.status >= 500).map(at)).toEqual([]);
    expect(all.filter((a) => a.startedAt > thawedAt + back && a.status < 500).length).toBeGreaterThan(LANES);
    // Timed-out connections are closed, not kept half-open until the server runs again: what is
    // left are new connections waiting for a greeting, at most a pool's worth.
    expect(socketsWhileFrozen).toBeLessThanOrEqual(POOL_SIZE);

    // Nothing half-written.
    expect(await brokenInvariants(t.dataSource)).toEqual({});
    const refusedCreates = all.filter((a) => a.what === 'create' && a.status === 503).map((a) => a.title!);
    expect(refusedCreates.length).toBeGreaterThan(0);
    const outcomes = await Promise.all(refusedCreates.map((title) => wholeOrAbsent(t.dataSource, title)));
    expect(outcomes.filter((o) => o === 'half-written')).toEqual([]);
  }, 60_000);

  it('a COMMIT, a query in flight, and a pool whose every connection is stuck each answer 503 within the bound', async () => {
    await t.http.get('/api/calling/my-calls').set(as.member(9200)).expect(200);
    // Freeze the server as the create's COMMIT is about to be sent.
    const atCommit = freezeAtNextCommit(t.dataSource, server);
    let thawedAt = 0;
    try {
      const commit = await timed('create', () => t.http.post('/api/calling/create').set(as.member(9200)).send({ title: 'frozen at COMMIT' }));
      expect(atCommit.disarm()).toBe(true);
      // A pooled connection that was idle: its query is sent and never answered.
      const inFlight = await timed('my-calls', () => t.http.get('/api/calling/my-calls').set(as.member(9200)));
      // Twice as many requests as connections: the rest wait for one.
      const crowd = await Promise.all(Array.from({ length: 2 * POOL_SIZE }, (_, n) => timed('my-calls', () => t.http.get('/api/calling/my-calls').set(as.member(9300 + n)))));
      // Every answer that is not a 503 DATABASE_UNAVAILABLE in time, in full, so a failure says which.
      const wrong = [commit, inFlight, ...crowd].filter((answer) => !unavailable(answer) || answer.ms > bound(TIMEOUT_MS));
      expect(wrong).toEqual([]);
    } finally {
      server.thaw();
      thawedAt = Date.now();
    }
    await t.http.get('/api/calling/my-calls').set(as.member(9200)).expect(200);
    expect(Date.now() - thawedAt).toBeLessThanOrEqual(TIMEOUT_MS + stalledMs());
    // The COMMIT reached the server before it stopped: whether it commits is up to the server
    // (MariaDB runs it when it resumes). Either way the call is whole, never half of it.
    expect(['whole', 'absent']).toContain(await wholeOrAbsent(t.dataSource, 'frozen at COMMIT'));
    expect(await brokenInvariants(t.dataSource)).toEqual({});
  }, 30_000);

  it('a create with an Idempotency-Key frozen at its COMMIT: the key is kept, and past its lease the retry agrees with what the database did (one call either way)', async () => {
    const clock = new FakeClock('2026-03-02T10:00:00.000Z');
    const keyed = await startApp({ DB_QUERY_TIMEOUT_MS: String(TIMEOUT_MS) }, url, clock);
    const title = 'frozen idempotent create';
    const send = () => keyed.http.post('/api/calling/create').set(as.member(9500)).set('Idempotency-Key', 'frozen-commit').send({ title });
    try {
      await keyed.http.get('/api/calling/my-calls').set(as.member(9500)).expect(200);
      const atCommit = freezeAtNextCommit(keyed.dataSource, server);
      let first: Answer;
      try {
        first = await timed('create', send);
      } finally {
        atCommit.disarm();
        server.thaw();
      }
      expect(unavailable(first)).toBe(true);
      await keyed.http.get('/api/calling/my-calls').set(as.member(9500)).expect(200);
      // The COMMIT was sent and never answered: the key was not given up, whatever the server did.
      const [key] = await keyed.dataSource.getRepository(IdempotencyKey).findBy({ userId: 9500 });
      const outcome = await wholeOrAbsent(keyed.dataSource, title);
      expect({ outcome, state: key?.state }).toEqual(outcome === 'whole' ? { outcome, state: 'committed' } : { outcome: 'absent', state: 'in_progress' });
      clock.advance(61_000);
      const retry = await send();
      if (outcome === 'whole') expect({ status: retry.status, code: retry.body.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_ANSWER_LOST' });
      else expect(retry.status).toBe(201);
      expect(await wholeOrAbsent(keyed.dataSource, title)).toBe('whole');
    } finally {
      await keyed.app.close();
    }
  }, 30_000);

  it(`with the default DB_QUERY_TIMEOUT_MS (${DEFAULT_DB_QUERY_TIMEOUT_MS} ms), health answers 503 within 3 s and a request 503 within the timeout and a second`, async () => {
    const defaults = await startApp({ DB_QUERY_TIMEOUT_MS: undefined }, url);
    try {
      await defaults.http.get('/api/health').expect(200);
      await server.freeze();
      try {
        const [health, request] = await Promise.all([
          timed('health', () => defaults.http.get('/api/health')),
          timed('my-calls', () => defaults.http.get('/api/calling/my-calls').set(as.member(9400))),
        ]);
        expect({ status: health.status, inTime: health.ms <= healthBound() }).toEqual({ status: 503, inTime: true });
        expect(health.ms).toBeGreaterThanOrEqual(HEALTH_DATABASE_WAIT_MS - 50);
        expect({ unavailable: unavailable(request), inTime: request.ms <= bound(DEFAULT_DB_QUERY_TIMEOUT_MS) }).toEqual({ unavailable: true, inTime: true });
      } finally {
        server.thaw();
      }
      await defaults.http.get('/api/health').expect(200);
    } finally {
      await defaults.app.close();
    }
  }, 30_000);

  describe('a listener that accepts connections and never answers', () => {
    let silent: Server;
    const accepted = new Set<Socket>();
    const listenSilently = async (port: number) => {
      silent = createServer((socket) => {
        accepted.add(socket);
        socket.on('close', () => accepted.delete(socket));
        socket.on('error', () => undefined);
      });
      silent.listen(port, '127.0.0.1');
      await once(silent, 'listening');
    };
    const closeSilent = async () => {
      for (const socket of accepted) socket.destroy();
      if (silent?.listening) await new Promise((resolve) => silent.close(resolve));
    };
    afterAll(closeSilent);

    it('in place of the database: requests answer 503 within the bound, health within 3 s, and the service serves again once the database is back', async () => {
      await server.halt();
      await listenSilently(server.port);
      let greeted = 0;
      silent.on('connection', () => (greeted += 1));
      const answers = await Promise.all([
        timed('my-calls', () => t.http.get('/api/calling/my-calls').set(as.member(9500))),
        timed('create', () => t.http.post('/api/calling/create').set(as.member(9500)).send({ title: 'to nobody' })),
        timed('join', () => join(t.http, calls[0].callId, as.member(9500))),
      ]);
      const health = await timed('health', () => t.http.get('/api/health'));
      // The pool's connections went with the server; the new ones reached the silent listener.
      expect(greeted).toBeGreaterThan(0);
      for (const answer of answers) expect({ unavailable: unavailable(answer), inTime: answer.ms <= bound(TIMEOUT_MS) }).toEqual({ unavailable: true, inTime: true });
      expect({ status: health.status, inTime: health.ms <= healthBound() }).toEqual({ status: 503, inTime: true });

      await closeSilent();
      await server.restart();
      const backAt = Date.now();
      const poller = poll(t, 50);
      await sleep(TIMEOUT_MS + 500);
      await poller.stop();
      const firstServed = poller.answers.find((a) => a.status === 200);
      expect(firstServed && firstServed.startedAt + firstServed.ms - backAt).toBeLessThanOrEqual(TIMEOUT_MS + stalledMs());
      expect(poller.answers.filter((a) => a.startedAt > backAt + TIMEOUT_MS + stalledMs() && a.status !== 200)).toEqual([]);
      expect(await wholeOrAbsent(t.dataSource, 'to nobody')).toBe('absent');
    }, 30_000);

    it('at start-up: the service fails to start within the bound instead of waiting for a greeting', async () => {
      await listenSilently(0);
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      await expect(startApp({ DB_QUERY_TIMEOUT_MS: String(TIMEOUT_MS) }, `mysql://root@127.0.0.1:${port}/calling`)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeLessThanOrEqual(bound(TIMEOUT_MS));
    }, 30_000);
  });
});
