import { createTestDatabase, startApp, TestApp, usingMysql } from './test-app';

/** Two instances of the service on one new database, and how to stop them and drop it. */
export interface Instances {
  a: TestApp;
  b: TestApp;
  close(): Promise<void>;
}

/**
 * Two instances sharing one database: on MariaDB two apps on a database of their own (where races
 * between instances are real); on SQLite one app in both roles (a second process could only queue
 * on the file lock).
 */
export async function twoInstances(env: Record<string, string> = {}): Promise<Instances> {
  if (!usingMysql) {
    const app = await startApp(env);
    return { a: app, b: app, close: () => app.close() };
  }
  const db = await createTestDatabase();
  const started: TestApp[] = [];
  try {
    started.push(await startApp(env, db.url));
    started.push(await startApp(env, db.url));
  } catch (error) {
    for (const app of started) await app.app.close();
    await db.drop();
    throw error;
  }
  const [a, b] = started;
  return {
    a,
    b,
    close: async () => {
      await a.app.close();
      await b.app.close();
      await db.drop();
    },
  };
}
