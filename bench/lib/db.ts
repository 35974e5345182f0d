/**
 * The bench's own database access, beside the service: creates and drops the bench database,
 * writes the bulk analytics data set, and reads what the checks need. Raw drivers
 * (better-sqlite3, mysql2), the same ones the service uses through TypeORM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';

// better-sqlite3 ships no type declarations: the part of its API used here.
interface SqliteStatement {
  /** true when the statement returns rows */
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  pragma(sql: string): unknown;
  close(): void;
}
const SqliteDatabaseClass = require('better-sqlite3') as new (file: string) => SqliteDatabase;

export type DbKind = 'sqlite' | 'mariadb';

export interface BenchDb {
  readonly kind: DbKind;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** Multi-row INSERTs of `rows`, a few thousand rows per statement; `ignore` skips duplicates. */
  insertMany(table: string, columns: string[], rows: unknown[][], ignore?: boolean): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  close(): Promise<void>;
}

/** Rows per INSERT statement (SQLite also stays under its 32,766 bound parameters). */
const ROWS_PER_INSERT = 2_000;

class SqliteBenchDb implements BenchDb {
  readonly kind = 'sqlite' as const;
  private readonly db: SqliteDatabase;
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(file: string) {
    this.db = new SqliteDatabaseClass(file);
    this.db.pragma('busy_timeout = 10000');
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const statement = this.db.prepare(sql);
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async insertMany(table: string, columns: string[], rows: unknown[][], ignore = false): Promise<void> {
    const perStatement = Math.min(ROWS_PER_INSERT, Math.floor(32_000 / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const key = `${table}|${chunk.length}|${ignore}`;
      let statement = this.statements.get(key);
      if (!statement) {
        const tuple = `(${columns.map(() => '?').join(',')})`;
        statement = this.db.prepare(`INSERT ${ignore ? 'OR IGNORE ' : ''}INTO ${table} (${columns.join(',')}) VALUES ${Array(chunk.length).fill(tuple).join(',')}`);
        this.statements.set(key, statement);
      }
      statement.run(...chunk.flat());
    }
  }

  async begin(): Promise<void> {
    this.db.exec('BEGIN');
  }

  async commit(): Promise<void> {
    this.db.exec('COMMIT');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

class MariaBenchDb implements BenchDb {
  readonly kind = 'mariadb' as const;
  constructor(private readonly conn: Connection) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.conn.query(sql, params);
    return rows as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.conn.query(sql);
  }

  async insertMany(table: string, columns: string[], rows: unknown[][], ignore = false): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      await this.conn.query(`INSERT ${ignore ? 'IGNORE ' : ''}INTO ${table} (${columns.join(',')}) VALUES ?`, [rows.slice(start, start + ROWS_PER_INSERT)]);
    }
  }

  async begin(): Promise<void> {
    await this.conn.query('START TRANSACTION');
  }

  async commit(): Promise<void> {
    await this.conn.query('COMMIT');
  }

  async close(): Promise<void> {
    await this.conn.end();
  }
}

/** The bench's database: where it is, how to open it, how to remove it. */
export interface BenchDatabase {
  kind: DbKind;
  /** DATABASE_URL for the service and the in-process app. */
  serviceUrl: string;
  /** For the output: no password. */
  description: string;
  /** Server version and the settings that matter for write throughput. */
  server: Record<string, string>;
  open(): Promise<BenchDb>;
  /** Deletes the temporary file or drops the database. Safe to call twice. */
  remove(): Promise<void>;
}

/**
 * A fresh temporary SQLite file by default; a fresh database `calling_bench_<pid>` on the
 * MySQL/MariaDB server named by DATABASE_URL when it is a mysql:// or mariadb:// URL.
 */
export async function createBenchDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  if (databaseUrl && /^(mysql|mariadb):\/\//.test(databaseUrl)) return createMariaDatabase(databaseUrl);
  const dir = mkdtempSync(join(tmpdir(), 'calling-bench-'));
  const file = join(dir, 'bench.sqlite');
  const sqliteVersion = (() => {
    const db = new SqliteDatabaseClass(':memory:');
    const row = db.prepare('SELECT sqlite_version() AS v').all()[0] as { v: string };
    db.close();
    return row.v;
  })();
  let removed = false;
  return {
    kind: 'sqlite',
    serviceUrl: `sqlite:${file}`,
    description: `SQLite ${sqliteVersion} (better-sqlite3), temporary file ${file}`,
    server: { version: sqliteVersion, journal_mode: 'wal (service)', synchronous: 'NORMAL (service)' },
    open: async () => new SqliteBenchDb(file),
    remove: async () => {
      if (removed) return;
      removed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createMariaDatabase(databaseUrl: string): Promise<BenchDatabase> {
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  const name = `calling_bench_${process.pid}`;
  url.pathname = '/';
  const serverUri = url.toString();
  const connect = (database?: string): Promise<Connection> =>
    createConnection({ uri: serverUri, database, dateStrings: true, timezone: 'Z', supportBigNumbers: true, bigNumberStrings: false });
  const admin = await connect();
  const server: Record<string, string> = {};
  try {
    const [[version]] = (await admin.query('SELECT VERSION() AS v')) as unknown as [Array<{ v: string }>];
    server.version = version.v;
    const [vars] = (await admin.query(
      "SHOW VARIABLES WHERE Variable_name IN ('innodb_flush_log_at_trx_commit','innodb_buffer_pool_size','sync_binlog','log_bin','max_connections')",
    )) as unknown as [Array<{ Variable_name: string; Value: string }>];
    for (const row of vars) server[row.Variable_name] = row.Value;
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const scheme = databaseUrl.startsWith('mariadb:') ? 'mariadb:' : 'mysql:';
  const service = new URL(serverUri);
  service.pathname = `/${name}`;
  const serviceUrl = service.toString().replace(/^mysql:/, scheme);
  const shown = new URL(serviceUrl.replace(/^mariadb:/, 'mysql:'));
  shown.password = '';
  let removed = false;
  return {
    kind: 'mariadb',
    serviceUrl,
    description: `${/mariadb/i.test(server.version) ? 'MariaDB' : 'MySQL'} ${server.version}, database ${name} on ${shown.host} (created for this run, dropped at the end)`,
    server,
    open: async () => {
      const conn = await connect(name);
      // The bulk writer generates unique keys itself; skipping the checks keeps 1M rows fast.
      await conn.query('SET SESSION unique_checks = 0, foreign_key_checks = 0');
      return new MariaBenchDb(conn);
    },
    remove: async () => {
      if (removed) return;
      removed = true;
      const conn = await connect();
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}
