// better-sqlite3 ships no type declarations: the part of its API the upgrade fixtures use.
export interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  /** Rows as arrays of values, in column order. */
  raw(on: boolean): SqliteStatement;
}
export interface SqliteFile {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
  /** Integers as BigInt, so none loses digits on the way to a dump. */
  defaultSafeIntegers(on: boolean): SqliteFile;
}
export const SqliteFile = require('better-sqlite3') as new (file: string, options?: { readonly?: boolean }) => SqliteFile;
