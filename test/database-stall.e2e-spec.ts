/**
 * A stalled or dead MySQL/MariaDB server, played by a TCP proxy in front of the shared server
 * (which is never stopped): requests answer 503 DATABASE_UNAVAILABLE within DB_QUERY_TIMEOUT_MS,
 * and the pool recovers by itself once the server answers. MariaDB runs only. A real server
 * frozen with SIGSTOP, and a listener that never answers: database-freeze.e2e-spec.ts.
 */
import { Call } from '../src/calls/entities/call.entity';
import { createCall } from './support/calls';
import { as } from './support/jwt';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';
import { createTestDatabase, startApp, TEST_MYSQL_URL, TestApp, usingMysql } from './support/test-app';

const TIMEOUT_MS = 1000;
// Waiting for a pooled connection and each query have the whole budget. Here the pool is never
// exhausted, so whichever wait a request is in runs out after one budget.
const MARGIN_MS = 500;
const member = as.member(4242);

async function timed<T>(run: () => PromiseLike<T>): Promise<{ res: T; ms: number }> {
  const started = Date.now();
  const res = await run();
  return { res, ms: Date.now() - started };
}

(usingMysql ? describe : describe.skip)('a stalled or dead database', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  let t: TestApp;

  const myCalls = () => t.http.get('/api/calling/my-calls').set(member);

  const expectUnavailable = ({ res, ms }: { res: { status: number; body: { code?: string }; headers: Record<string, string> }; ms: number }) => {
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('5');
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(Number(new URL(TEST_MYSQL_URL).port || 3306), new URL(TEST_MYSQL_URL).hostname);
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    t = await startApp({ DB_QUERY_TIMEOUT_MS: String(TIMEOUT_MS) }, viaProxy.toString());
  });
  afterAll(async () => {
    proxy?.resume();
    proxy?.accept();
    await t?.app.close();
    await proxy?.close();
    await db?.drop();
  });

  it('answers 503 within the bound while the server is stalled, and 200 again once it answers, without a restart', async () => {
    await myCalls().expect(200);
    proxy.pause();
    try {
      // Reads, a write through TransactionRunner and the health check, all at once.
      const [first, second, write, health] = await Promise.all([
        timed(() => myCalls()),
        timed(() => myCalls()),
        timed(() => t.http.post('/api/calling/create').set(member).send({ title: 'During the stall' })),
        timed(() => t.http.get('/api/health')),
      ]);
      expectUnavailable(first);
      expectUnavailable(second);
      expectUnavailable(write);
      expect(health.res.status).toBe(503);
      expect(health.res.body).toMatchObject({ status: 'error', database: { status: 'down' } });
      expect(health.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      // Still stalled: the connections dropped above are replaced by new ones that never get a
      // handshake; those are bounded too.
      expectUnavailable(await timed(() => myCalls()));
    } finally {
      proxy.resume();
    }
    await myCalls().expect(200);
    await createCall(t.http, 4242, { title: 'After the stall' });
    await t.http.get('/api/health').expect(200);
    // The write that answered 503 left nothing behind: its connection was closed mid-transaction.
    expect(await t.dataSource.getRepository(Call).countBy({ title: 'During the stall' })).toBe(0);
  });

  it('answers 503 at once while the server is dead (connections closed), and 200 once it is back', async () => {
    await myCalls().expect(200);
    proxy.refuse();
    try {
      const read = await timed(() => myCalls());
      expectUnavailable(read);
      expect(read.ms).toBeLessThan(MARGIN_MS);
      expectUnavailable(await timed(() => t.http.post('/api/calling/create').set(member).send({ title: 'While dead' })));
      await t.http.get('/api/health').expect(503);
    } finally {
      proxy.accept();
    }
    await myCalls().expect(200);
    await t.http.get('/api/health').expect(200);
  });
});
