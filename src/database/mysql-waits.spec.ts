import { DataSource } from 'typeorm';
import { boundMysqlWaits } from './mysql-waits';

type Callback = (error: unknown, rows?: unknown) => void;

/** A stand-in for a mysql2 pooled connection whose answers the test releases by hand. */
class FakeConnection {
  readonly pending: Callback[] = [];
  destroyed = false;
  released = 0;
  /** The socket: mysql2's destroy() only half-closes it. */
  readonly stream = { destroyed: false, destroy: () => void (this.stream.destroyed = true) };
  query(_sql: string, _values: unknown, callback: Callback): void {
    this.pending.push(callback);
  }
  release(): void {
    this.released += 1;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function fakeDataSource(obtain: () => Promise<FakeConnection>) {
  const driver = { obtainMasterConnection: obtain };
  const dataSource = { options: { type: 'mariadb' }, driver } as unknown as DataSource;
  boundMysqlWaits(dataSource, 1000);
  return driver as unknown as { obtainMasterConnection(): Promise<FakeConnection> };
}

const run = (connection: FakeConnection, sql: string) =>
  new Promise<unknown>((resolve, reject) => connection.query(sql, [], (error, rows) => (error ? reject(error) : resolve(rows))));

describe('boundMysqlWaits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('passes answers through in time, and keeps the connection', async () => {
    const connection = new FakeConnection();
    const driver = fakeDataSource(async () => connection);
    const conn = await driver.obtainMasterConnection();
    const result = run(conn, 'SELECT 1');
    connection.pending[0](null, [{ ok: 1 }]);
    await expect(result).resolves.toEqual([{ ok: 1 }]);
    jest.advanceTimersByTime(5000);
    expect(connection.destroyed).toBe(false);
    expect(connection.stream.destroyed).toBe(false);
  });

  it('fails a query after the bound, destroys its connection, and ignores the late answer', async () => {
    const connection = new FakeConnection();
    const driver = fakeDataSource(async () => connection);
    const conn = await driver.obtainMasterConnection();
    const result = run(conn, 'SELECT SLEEP(60)');
    jest.advanceTimersByTime(1000);
    await expect(result).rejects.toMatchObject({ code: 'DB_QUERY_TIMEOUT' });
    expect(connection.destroyed).toBe(true);
    // Closed at once, not left half-open until a frozen server runs again.
    expect(connection.stream.destroyed).toBe(true);
    expect(() => connection.pending[0](null, [])).not.toThrow();
  });

  it('bounds each connection once, however often it comes back from the pool', async () => {
    const connection = new FakeConnection();
    const driver = fakeDataSource(async () => connection);
    await driver.obtainMasterConnection();
    await driver.obtainMasterConnection();
    const result = run(connection, 'SELECT 1');
    jest.advanceTimersByTime(1000);
    await expect(result).rejects.toMatchObject({ code: 'DB_QUERY_TIMEOUT' });
    // One timer, one callback: a double wrap would have failed it twice.
    expect(connection.pending).toHaveLength(1);
  });

  it('fails the wait for a pooled connection after the bound, and hands a late one back to the pool', async () => {
    const connection = new FakeConnection();
    let handOver!: (c: FakeConnection) => void;
    const driver = fakeDataSource(() => new Promise((resolve) => (handOver = resolve)));
    const acquired = driver.obtainMasterConnection();
    jest.advanceTimersByTime(1000);
    await expect(acquired).rejects.toMatchObject({ code: 'DB_ACQUIRE_TIMEOUT' });
    handOver(connection);
    await Promise.resolve();
    await Promise.resolve();
    expect(connection.released).toBe(1);
  });

  it('passes a refused connection straight through', async () => {
    const driver = fakeDataSource(() => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })));
    await expect(driver.obtainMasterConnection()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
