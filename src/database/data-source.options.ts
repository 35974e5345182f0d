import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseTarget, DEFAULT_DB_QUERY_TIMEOUT_MS } from '../config/database.config';
import { MIGRATIONS } from './migrations';

/**
 * The one DataSource recipe, shared by the application and the TypeORM CLI (`ormconfig.ts`).
 * Entities and migrations are listed explicitly so the same code runs from `src` and `dist`; the
 * entity list (`src/entities.ts`, beside the app module) is passed in, so nothing here imports a feature.
 * `waitMs` (DB_QUERY_TIMEOUT_MS) bounds SQLite's wait for another process's write lock and
 * MySQL's wait for a new connection; the app bounds queries too (mysql-waits.ts).
 */
export function buildDataSourceOptions(
  target: DatabaseTarget,
  entities: DataSourceOptions['entities'],
  migrationsRun = false,
  waitMs = DEFAULT_DB_QUERY_TIMEOUT_MS,
): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsRun,
    // Migrations run one by one in their own transaction; a failed one leaves the schema as it was.
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
  };
  if (target.type === 'better-sqlite3') {
    if (target.database !== ':memory:') mkdirSync(dirname(target.database), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: target.database,
      enableWAL: target.database !== ':memory:',
      // Wait this long for another process's write lock before failing with SQLITE_BUSY (503).
      // better-sqlite3 waits synchronously: the whole process is held meanwhile.
      timeout: waitMs,
      // Prepared statements are reused; the default 100 is too few once every route has run.
      statementCacheSize: 1000,
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: target.type,
    url: target.url,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: false,
    // No call-site stack captured on every query (mysql2's default): 6% of the CPU under join+leave.
    trace: false,
    // A new connection to a stalled server (TCP accepted, no handshake) gives up after this.
    connectTimeout: waitMs,
    extra: { connectionLimit: 20 },
  };
}
