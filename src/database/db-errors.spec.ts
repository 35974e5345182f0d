import { QueryFailedError } from 'typeorm';
import { DB_ACQUIRE_TIMEOUT, DB_QUERY_TIMEOUT, databaseTimeout, isDatabaseUnavailable, isRetryableLockError, toDatabaseUnavailable } from './db-errors';

const driver = (fields: Record<string, unknown>) => Object.assign(new Error('driver'), fields);
const failed = (fields: Record<string, unknown>) => new QueryFailedError('SELECT 1', [], driver(fields));

describe('database errors', () => {
  it.each([
    ['our query time-out', failed({ code: DB_QUERY_TIMEOUT })],
    ['our pool time-out', databaseTimeout(DB_ACQUIRE_TIMEOUT, 'x')],
    ['a refused connection', driver({ code: 'ECONNREFUSED' })],
    ['a connect time-out', driver({ code: 'ETIMEDOUT' })],
    ['a lost connection', failed({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true })],
    ['a closed connection (mysql2 gives no code)', failed({ fatal: true })],
    ['too many connections', failed({ code: 'ER_CON_COUNT_ERROR' })],
    ['SQLite busy', failed({ code: 'SQLITE_BUSY' })],
    ['SQLite busy (extended code)', failed({ code: 'SQLITE_BUSY_SNAPSHOT' })],
    ['a deadlock that outlasted the retries', failed({ code: 'ER_LOCK_DEADLOCK' })],
    ['a lock wait time-out that outlasted the retries', failed({ code: 'ER_LOCK_WAIT_TIMEOUT' })],
  ])('%s is DATABASE_UNAVAILABLE (503, Retry-After)', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(toDatabaseUnavailable(error)).toMatchObject({ code: 'DATABASE_UNAVAILABLE', status: 503, retryAfterSeconds: 5 });
  });

  it.each([
    ['a duplicate key', failed({ code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['a syntax error', failed({ code: 'ER_PARSE_ERROR' })],
    ['a constraint on SQLite', failed({ code: 'SQLITE_CONSTRAINT_UNIQUE' })],
    ['a plain bug', new TypeError('x is undefined')],
  ])('%s is not', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(toDatabaseUnavailable(error)).toBeUndefined();
  });

  it('retries InnoDB deadlocks and lock wait time-outs, never SQLITE_BUSY (SQLite has already waited)', () => {
    expect(isRetryableLockError(failed({ code: 'ER_LOCK_DEADLOCK' }))).toBe(true);
    expect(isRetryableLockError(failed({ code: 'ER_LOCK_WAIT_TIMEOUT' }))).toBe(true);
    expect(isRetryableLockError(failed({ code: 'SQLITE_BUSY' }))).toBe(false);
  });
});
