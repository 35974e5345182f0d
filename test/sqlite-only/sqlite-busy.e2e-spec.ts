/**
 * SQLite only (the MariaDB run skips this folder): another process holding the write lock for
 * longer than the busy timeout (DB_QUERY_TIMEOUT_MS) is 503 DATABASE_UNAVAILABLE, not a 500, and
 * the transaction is not retried in a loop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCall } from '../support/calls';
import { as } from '../support/jwt';
import { startApp, TestApp } from '../support/test-app';

type Db = { exec(sql: string): void; close(): void };
const Database = require('better-sqlite3') as new (file: string) => Db;

const BUSY_TIMEOUT_MS = 300;

describe('SQLite write lock held by another process', () => {
  let dir: string;
  let t: TestApp;
  let other: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'calling-busy-'));
    const file = join(dir, 'calling.sqlite');
    t = await startApp({ DB_QUERY_TIMEOUT_MS: String(BUSY_TIMEOUT_MS) }, `sqlite:${file}`);
    // A second connection stands in for the other process.
    other = new Database(file);
  });
  afterAll(async () => {
    other?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 DATABASE_UNAVAILABLE with a Retry-After after the busy timeout, and writes again once the lock goes', async () => {
    const member = as.member(77);
    await createCall(t.http, 77, { title: 'Before' });
    other.exec('BEGIN IMMEDIATE');
    let res;
    const started = Date.now();
    try {
      res = await t.http.post('/api/calling/create').set(member).send({ title: 'Locked out' });
    } finally {
      other.exec('ROLLBACK');
    }
    const elapsed = Date.now() - started;
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(res.headers['retry-after']).toBe('5');
    // One busy timeout, not one per retry.
    expect(elapsed).toBeGreaterThanOrEqual(BUSY_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(3 * BUSY_TIMEOUT_MS);
    await createCall(t.http, 77, { title: 'After' });
    await t.http.get('/api/calling/my-calls').set(member).expect(200);
  });
});
