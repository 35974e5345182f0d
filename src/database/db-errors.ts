import { QueryFailedError } from 'typeorm';
import { DomainException } from '../common/exceptions/domain.exception';

interface DriverError {
  code?: string;
  errno?: number;
  /** mysql2 marks errors after which the connection is unusable (lost, closed, protocol). */
  fatal?: boolean;
}

function driverError(error: unknown): DriverError | undefined {
  if (error instanceof QueryFailedError) return error.driverError as DriverError;
  if (error && typeof error === 'object' && 'code' in error) return error as DriverError;
  return undefined;
}

/** A unique or primary key constraint refused the row (MySQL/MariaDB or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  const e = driverError(error);
  return (
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/**
 * InnoDB rolled the transaction back for a deadlock or a lock wait time-out: safe to run again.
 * (SQLITE_BUSY is not one: SQLite has already waited its whole busy timeout, blocking the process,
 * before it answers that; it is DATABASE_UNAVAILABLE instead.)
 */
export function isRetryableLockError(error: unknown): boolean {
  const e = driverError(error);
  return e?.code === 'ER_LOCK_DEADLOCK' || e?.code === 'ER_LOCK_WAIT_TIMEOUT';
}

/** Codes of the errors raised by `boundMysqlWaits` (mysql-waits.ts). */
export const DB_QUERY_TIMEOUT = 'DB_QUERY_TIMEOUT';
export const DB_ACQUIRE_TIMEOUT = 'DB_ACQUIRE_TIMEOUT';

/** An error for a wait on the database that took too long. */
export function databaseTimeout(code: typeof DB_QUERY_TIMEOUT | typeof DB_ACQUIRE_TIMEOUT, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Driver error codes that mean "the database is not answering right now", not "this request is wrong". */
const UNAVAILABLE_CODES = new Set([
  DB_QUERY_TIMEOUT,
  DB_ACQUIRE_TIMEOUT,
  // mysql2's own per-query `timeout`, should a query ever pass one.
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST',
  // Connecting: the handshake timed out (connectTimeout), the server refused or reset, no route.
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  // SQLite: another process held the write lock for longer than the busy timeout.
  'SQLITE_BUSY',
  // Only once TransactionRunner's retries are used up: contention, never the client's fault.
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
]);

/** Seconds a client is told to wait before trying again while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The driver's code for a database error, for logs (never the message: it can name hosts). */
export function databaseErrorCode(error: unknown): string | undefined {
  return driverError(error)?.code;
}

/** The database is stalled, down or locked for longer than we wait: nothing the client did wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = driverError(error);
  if (!e) return false;
  return (e.code !== undefined && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('SQLITE_BUSY_'))) || e.fatal === true;
}

/**
 * The one place a driver error becomes an answer: 503 DATABASE_UNAVAILABLE with a Retry-After,
 * for any request, read or write. Anything else is left as it is.
 */
export function toDatabaseUnavailable(error: unknown): DomainException | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  return new DomainException('DATABASE_UNAVAILABLE', 'The database is not answering; try again shortly', {
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    cause: error,
  });
}
