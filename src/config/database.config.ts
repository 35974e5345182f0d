import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { assertConfig, checkEnv, toBool, toInt } from './env';

class DatabaseEnv {
  @IsOptional()
  @Matches(/^(sqlite:.+|(mysql|mariadb):\/\/.+)$/, {
    message: 'DATABASE_URL must look like sqlite:<path>, sqlite::memory: or mysql://user:pass@host:port/db',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'DB_MIGRATIONS_RUN must be true or false' })
  DB_MIGRATIONS_RUN?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'DB_QUERY_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(100, { message: 'DB_QUERY_TIMEOUT_MS must be at least 100' })
  @Max(600_000, { message: 'DB_QUERY_TIMEOUT_MS must be at most 600000' })
  DB_QUERY_TIMEOUT_MS?: number;
}

export type DatabaseTarget =
  | { type: 'better-sqlite3'; database: string; url: string }
  | { type: 'mysql' | 'mariadb'; url: string; database: string };

export interface DatabaseConfig {
  target: DatabaseTarget;
  migrationsRun: boolean;
  /**
   * The longest a request waits on the database for one step: a query, a pooled connection, a
   * new connection (MySQL/MariaDB), or another process's write lock (SQLite's busy timeout).
   */
  queryTimeoutMs: number;
}

export const DEFAULT_DB_QUERY_TIMEOUT_MS = 5000;

export const DEFAULT_DATABASE_URL = 'sqlite:./data/calling.sqlite';

/** Parses DATABASE_URL: `sqlite:<path>`, `sqlite::memory:`, or `mysql://user:pass@host:port/db`. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length);
    const database = rest === ':memory:' ? ':memory:' : rest.replace(/^\/\/(?=\/)/, '');
    return { type: 'better-sqlite3', database, url };
  }
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('it must name a database, e.g. mysql://root@127.0.0.1:3306/calling');
  // mariadb:// picks TypeORM's MariaDB flavour (same wire protocol, MariaDB's schema quirks).
  return { type: url.startsWith('mariadb:') ? 'mariadb' : 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), database };
}

export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const { values: v, problems } = checkEnv(DatabaseEnv, env);
  let target: DatabaseTarget | undefined;
  // A URL that failed its pattern is already named; parsing it would only say so again.
  if (!problems.some((problem) => problem.startsWith('DATABASE_URL'))) {
    try {
      target = parseDatabaseUrl(v.DATABASE_URL ?? DEFAULT_DATABASE_URL);
    } catch (error) {
      problems.push(`DATABASE_URL: ${(error as Error).message}`);
    }
  }
  assertConfig(problems);
  return {
    target: target!,
    migrationsRun: v.DB_MIGRATIONS_RUN ?? true,
    queryTimeoutMs: v.DB_QUERY_TIMEOUT_MS ?? DEFAULT_DB_QUERY_TIMEOUT_MS,
  };
}

export const databaseConfig = registerAs('database', () => loadDatabaseConfig());
