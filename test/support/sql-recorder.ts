import { readFileSync, writeFileSync } from 'node:fs';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';

/** One statement a repository sent: its SQL and parameters. */
export interface Statement {
  sql: string;
  parameters: unknown[];
}

/** Transaction control, sent by TransactionRunner around the work: not a repository's query. */
const CONTROL = /^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SET TRANSACTION|SAVEPOINT|RELEASE SAVEPOINT)/i;

/**
 * Records every statement either driver's query runner sends while `during` runs (TypeORM's
 * builders, `find`, `manager.query` and the fixed-SQL writes all end in QueryRunner.query).
 */
export class SqlRecorder {
  private recording: Statement[] | null = null;
  private readonly spies: jest.SpyInstance[] = [];

  constructor() {
    const record = (query: string, parameters: unknown): void => {
      if (this.recording && !CONTROL.test(query.trim())) this.recording.push({ sql: query, parameters: Array.isArray(parameters) ? parameters : [] });
    };
    for (const prototype of [BetterSqlite3QueryRunner.prototype, MysqlQueryRunner.prototype] as Array<{ query: (...args: unknown[]) => Promise<unknown> }>) {
      const original = prototype.query;
      this.spies.push(
        jest.spyOn(prototype, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
          record(args[0] as string, args[1]);
          return original.apply(this, args);
        }),
      );
    }
  }

  async during(work: () => Promise<unknown>): Promise<{ statements: Statement[]; error?: unknown }> {
    this.recording = [];
    try {
      await work();
      return { statements: this.recording };
    } catch (error) {
      return { statements: this.recording, error };
    } finally {
      this.recording = null;
    }
  }

  restore(): void {
    for (const spy of this.spies) spy.mockRestore();
  }
}

/** A statement on one line: whitespace folded. */
export const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

/** A statement as the SQL file shows it: on one line, and a list of parameters `IN (?, …)` however many rows it names. */
export const forFile = (sql: string): string => oneLine(sql).replace(/IN \((\?, )+\?\)/g, 'IN (?, …)');

const HEADER = (repository: string) =>
  `-- The SQL every method of ${repository} sends, per database, written by test/repositories.e2e-spec.ts.\n` +
  '-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)\n' +
  '-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.\n';

/** The sections of a `*.repository.sql` file: `Class.method [dialect]` -> its statements. */
export function readSqlFile(path: string): Map<string, string> {
  const sections = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return sections;
  }
  let name: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (name !== null) sections.set(name, lines.join('\n').trim());
  };
  for (const line of text.split('\n')) {
    const heading = /^-- (\S+ \[(?:sqlite|mysql)\])$/.exec(line);
    if (heading) {
      flush();
      name = heading[1];
      lines = [];
    } else if (name !== null) lines.push(line);
  }
  flush();
  return sections;
}

export function writeSqlFile(path: string, repository: string, sections: Map<string, string>): void {
  const names = [...sections.keys()].sort((a, b) => a.localeCompare(b));
  writeFileSync(path, HEADER(repository) + names.map((name) => `\n-- ${name}\n${sections.get(name)}\n`).join(''));
}
