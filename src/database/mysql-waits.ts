import { DataSource } from 'typeorm';
import { DB_ACQUIRE_TIMEOUT, DB_QUERY_TIMEOUT, databaseTimeout } from './db-errors';

/** The parts of a mysql2 pooled connection used here (callback API, as TypeORM drives it). */
interface PooledConnection {
  query(...args: unknown[]): unknown;
  release(): void;
  destroy(): void;
  /** The TCP socket. mysql2's `destroy()` only half-closes it (`end()`). */
  stream?: { destroy(): void };
}

type Callback = (...result: unknown[]) => void;

/**
 * Bounds every wait on MySQL/MariaDB: getting a pooled connection and each query, for reads and
 * writes alike, so a stalled server (stopped, not refusing) answers 503 within `timeoutMs` instead
 * of holding every request for as long as it is stalled. New connections are bounded by mysql2's
 * `connectTimeout` (data-source.options.ts).
 *
 * Why here and not with mysql2's per-query `timeout` (TypeORM's `enableQueryTimeout`): mysql2
 * starts that clock only once the query is sent, not while it queues behind another on the same
 * connection, and on time-out it leaves the connection open with the query still pending, so
 * TypeORM's `release()` would put it back in the pool for the next request to queue behind (or to
 * run inside a transaction left open). Here a timed-out connection is destroyed instead: it leaves
 * the pool and its socket is closed at once (mysql2's own `destroy()` only half-closes it, which
 * keeps the socket, and its late answer, until a frozen server runs again). The server rolls back
 * whatever it had open when it sees the connection close, and the pool opens fresh connections once
 * the server answers again, with no restart.
 *
 * A COMMIT that timed out is the one wait whose outcome is unknown: the server may have committed,
 * or may still commit the statement it already holds when it resumes. The request answers 503 all
 * the same; its transaction is whole either way (never half of it).
 *
 * Applied after start-up migrations, which are not bounded: a long ALTER must not be cut off half
 * way, nor the 120 s wait for another instance's migration lock. The TypeORM CLI is not bounded
 * either.
 */
export function boundMysqlWaits(dataSource: DataSource, timeoutMs: number): void {
  if (dataSource.options.type === 'better-sqlite3') return;
  const driver = dataSource.driver as unknown as { obtainMasterConnection(): Promise<PooledConnection> };
  const obtain = driver.obtainMasterConnection.bind(driver);
  const bounded = new WeakSet<PooledConnection>();
  // Without replication, TypeORM's obtainSlaveConnection comes here too.
  driver.obtainMasterConnection = () =>
    new Promise<PooledConnection>((resolve, reject) => {
      let waiting = true;
      const timer = setTimeout(() => {
        waiting = false;
        reject(databaseTimeout(DB_ACQUIRE_TIMEOUT, `No database connection within ${timeoutMs} ms`));
      }, timeoutMs);
      obtain().then(
        (connection) => {
          clearTimeout(timer);
          // Handed over after we stopped waiting: give it straight back to the pool.
          if (!waiting) return connection.release();
          waiting = false;
          if (!bounded.has(connection)) {
            boundQueries(connection, timeoutMs);
            bounded.add(connection);
          }
          resolve(connection);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (waiting) {
            waiting = false;
            reject(error);
          }
        },
      );
    });
}

/** Every callback-style query on this connection answers within `timeoutMs`, or the connection goes. */
function boundQueries(connection: PooledConnection, timeoutMs: number): void {
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback !== 'function') return query(...args);
    let pending = true;
    const timer = setTimeout(() => {
      pending = false;
      // Out of the pool and closed; later statements on it (a ROLLBACK) fail at once.
      connection.destroy();
      connection.stream?.destroy();
      (callback as Callback)(databaseTimeout(DB_QUERY_TIMEOUT, `The database did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    args[last] = (...result: unknown[]) => {
      if (!pending) return;
      pending = false;
      clearTimeout(timer);
      (callback as Callback)(...result);
    };
    return query(...args);
  };
}
