import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { Clock } from '../../src/common/clock';

export const usingMysql = process.env.TEST_DB === 'mysql';
export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  dataSource: DataSource;
  databaseUrl: string;
  close(): Promise<void>;
}

function serverUrl(database: string): string {
  const url = new URL(TEST_MYSQL_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates an empty database for one test app: a fresh MariaDB schema, or SQLite in memory. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!usingMysql) return { url: 'sqlite::memory:', drop: async () => undefined };
  const name = `calling_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: TEST_MYSQL_URL });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    url: serverUrl(name),
    drop: async () => {
      const conn = await createConnection({ uri: TEST_MYSQL_URL });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

/**
 * Boots the real application (guards, pipes, filters, migrations) on a fresh database, with
 * extra environment variables for this app only.
 */
export async function startApp(
  env: Record<string, string | undefined> = {},
  databaseUrl?: string,
  clock?: Clock,
  /** Where the app's log lines go (with a LOG_LEVEL in `env`), for a test that reads them. */
  logDestination?: import('pino').DestinationStream,
): Promise<TestApp> {
  const database = databaseUrl ? { url: databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const saved = { ...process.env };
  Object.assign(process.env, { DATABASE_URL: database.url }, env);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  let app: NestFastifyApplication;
  try {
    app = await createApp({ clock, logDestination });
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    await database.drop();
    throw error;
  } finally {
    process.env = saved;
  }
  return {
    app,
    http: request(app.getHttpServer()),
    dataSource: app.get(DataSource),
    databaseUrl: database.url,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
