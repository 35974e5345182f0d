/**
 * A start that fails leaves nothing open: no connection to the database, no pool. Such a leftover
 * kept the whole MariaDB suite's process alive after its last test (it needed `--forceExit`): the
 * events test's start without a webhook secret connected and migrated, then failed on the
 * configuration, and nothing ever closed that pool. MariaDB runs only (SQLite in memory holds no
 * connection to count).
 */
import { createConnection } from 'mysql2/promise';
import { Socket } from 'node:net';
import { createTestDatabase, startApp, TEST_MYSQL_URL, usingMysql } from './support/test-app';

const SERVER_PORT = Number(new URL(TEST_MYSQL_URL).port || 3306);

/** This process's sockets to the database server that are still open. */
function openSocketsToServer(): number {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => h instanceof Socket && h.remotePort === SERVER_PORT && !h.destroyed).length;
}

/** The open sockets once those being closed are gone (a closed pool's QUIT takes a round trip). */
async function settledSockets(): Promise<number> {
  let last = openSocketsToServer();
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = openSocketsToServer();
    if (now === last && i >= 4) return now;
    last = now;
  }
  return last;
}

(usingMysql ? describe : describe.skip)('a start that fails leaves nothing open', () => {
  it('a configuration error fails the start, naming every problem, before a connection is opened', async () => {
    const before = await settledSockets();
    const failed = startApp({ EVENTS_WEBHOOK_URL: 'http://127.0.0.1:9/x', JOBS_ENABLED: 'maybe' });
    await expect(failed).rejects.toThrow(/EVENTS_WEBHOOK_SECRET is required when EVENTS_WEBHOOK_URL is set/);
    await expect(failed).rejects.toThrow(/JOBS_ENABLED must be true or false/);
    expect(await settledSockets()).toBe(before);
  });

  it('a migration that fails closes the pool it ran on', async () => {
    const db = await createTestDatabase();
    try {
      // The first migration creates `users`; here it exists already, so that migration fails.
      const admin = await createConnection({ uri: db.url });
      await admin.query('CREATE TABLE users (id int PRIMARY KEY)');
      await admin.end();
      const before = await settledSockets();
      await expect(startApp({}, db.url)).rejects.toThrow(/users/);
      expect(await settledSockets()).toBe(before);
    } finally {
      await db.drop();
    }
  });
});
