import { TransactionRunner } from '../src/database/transaction-runner.service';
import { startApp, TestApp, usingMysql } from './support/test-app';

/**
 * TransactionRunner on the real database: what isolation a transaction sees and what it costs
 * in statements. (Queuing on SQLite and deadlock retries are covered by the calls suites.)
 */
describe('TransactionRunner', () => {
  let t: TestApp;
  let runner: TransactionRunner;

  beforeAll(async () => {
    t = await startApp();
    runner = t.app.get(TransactionRunner);
  });
  afterAll(async () => t?.close());

  (usingMysql ? it : it.skip)('runs READ COMMITTED, set once per pooled connection rather than before every transaction', async () => {
    const probe = t.dataSource.createQueryRunner();
    const query = jest.spyOn(Object.getPrototypeOf(probe) as { query: (sql: string) => Promise<unknown> }, 'query');
    await probe.release();
    try {
      const levels = await Promise.all(
        Array.from({ length: 40 }, () =>
          runner.run(async (manager) => {
            const [row] = await manager.query('SELECT @@tx_isolation AS level');
            return (row as { level: string }).level;
          }),
        ),
      );
      expect(new Set(levels)).toEqual(new Set(['READ-COMMITTED']));
      const sets = query.mock.calls.filter(([sql]) => /^SET\b/i.test(String(sql)));
      // 40 transactions, at most one SET per connection of the pool (20).
      expect(sets.length).toBeGreaterThan(0);
      expect(sets.length).toBeLessThanOrEqual(20);
      expect(sets.every(([sql]) => /^SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED$/.test(String(sql)))).toBe(true);
    } finally {
      query.mockRestore();
    }
  });

  it('rolls back everything a failed transaction wrote, and the next one still runs', async () => {
    await expect(
      runner.run(async (manager) => {
        await manager.query("INSERT INTO job_locks (name, owner, expires_at) VALUES ('tx-test', 'a', '2030-01-01 00:00:00')");
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    const rows = await t.dataSource.query("SELECT name FROM job_locks WHERE name = 'tx-test'");
    expect(rows).toEqual([]);
    await runner.run((manager) => manager.query("INSERT INTO job_locks (name, owner, expires_at) VALUES ('tx-test', 'b', '2030-01-01 00:00:00')"));
    expect(await t.dataSource.query("SELECT owner FROM job_locks WHERE name = 'tx-test'")).toEqual([{ owner: 'b' }]);
  });
});
