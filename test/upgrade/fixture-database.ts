import { SqliteFile } from '../../scripts/upgrade-fixtures/sqlite-file';
import { createConnection } from 'mysql2/promise';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, usingMysql } from '../support/test-app';

/** One row, every value as text (NULL as null), so SQLite's and MariaDB's drivers compare alike. */
export type Row = Record<string, string | null>;

/** Every table of a database: its columns and its rows. */
export type Snapshot = Map<string, { columns: string[]; rows: Row[] }>;

export interface FixtureDatabase {
  /** DATABASE_URL for the app. */
  url: string;
  snapshot(): Promise<Snapshot>;
  drop(): Promise<void>;
}

/**
 * The statements of a `mariadb-dump` file, as its client would send them: `DELIMITER` lines
 * change what ends a statement (trigger bodies hold semicolons). Values are escaped by the dump,
 * so no statement ends inside a string at the end of a line.
 */
export function dumpStatements(sql: string): string[] {
  const statements: string[] = [];
  let delimiter = ';';
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    const change = /^DELIMITER\s+(\S+)\s*$/.exec(line);
    if (change) {
      delimiter = change[1];
      continue;
    }
    current.push(line);
    if (line.trimEnd().endsWith(delimiter)) {
      const text = current.join('\n').trimEnd();
      statements.push(text.slice(0, text.length - delimiter.length));
      current = [];
    }
  }
  if (current.join('').trim()) statements.push(current.join('\n'));
  return statements.filter((statement) => statement.trim() !== '');
}

const asText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return String(value);
};

function rowsAsText(rows: Array<Record<string, unknown>>): Row[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, asText(value)])));
}

/**
 * Loads a fixture's dump for the suite's database into a new database: a SQLite file (the app
 * opens it by path, like a deployment) or a fresh MariaDB schema.
 */
export async function loadFixture(dir: string): Promise<FixtureDatabase> {
  if (!usingMysql) {
    const folder = mkdtempSync(join(tmpdir(), 'upgrade-'));
    const file = join(folder, 'calling.sqlite');
    const db = new SqliteFile(file);
    db.exec(readFileSync(join(dir, 'sqlite.sql'), 'utf8'));
    db.close();
    return {
      url: `sqlite:${file}`,
      snapshot: async () => {
        const reader = new SqliteFile(file, { readonly: true });
        try {
          const snapshot: Snapshot = new Map();
          const tables = reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>;
          for (const { name } of tables) {
            const columns = (reader.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>).map((c) => c.name);
            snapshot.set(name, { columns, rows: rowsAsText(reader.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>) });
          }
          return snapshot;
        } finally {
          reader.close();
        }
      },
      drop: async () => rmSync(folder, { recursive: true, force: true }),
    };
  }
  const database = await createTestDatabase();
  const connect = () => createConnection({ uri: database.url, multipleStatements: false, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  const loader = await connect();
  try {
    for (const statement of dumpStatements(readFileSync(join(dir, 'mariadb.sql'), 'utf8'))) await loader.query(statement);
  } finally {
    await loader.end();
  }
  return {
    url: database.url,
    snapshot: async () => {
      const reader = await connect();
      try {
        const snapshot: Snapshot = new Map();
        const [tables] = await reader.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name");
        for (const { name } of tables as Array<{ name: string }>) {
          const [rows, fields] = await reader.query(`SELECT * FROM \`${name}\``);
          snapshot.set(name, { columns: (fields as Array<{ name: string }>).map((f) => f.name), rows: rowsAsText(rows as Array<Record<string, unknown>>) });
        }
        return snapshot;
      } finally {
        await reader.end();
      }
    },
    drop: database.drop,
  };
}
