import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/database.config';
import { buildDataSourceOptions } from '../src/database/data-source.options';
import { ENTITIES } from '../src/entities';
import { MIGRATIONS } from '../src/database/migrations';
import { schemaDrift as drift } from './support/schema-drift';
import { createTestDatabase, usingMysql } from './support/test-app';

/**
 * Every migration up, down one by one, and up again, on the suite's database (SQLite in memory,
 * or a fresh MariaDB schema with TEST_DB=mysql), through the same DataSource recipe the app and
 * the TypeORM CLI use.
 */

async function tableNames(dataSource: DataSource): Promise<string[]> {
  const rows: Array<Record<string, string>> = usingMysql
    ? await dataSource.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')
    : await dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  return rows.map((row) => row.name ?? row.NAME).sort();
}

async function appliedCount(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query('SELECT COUNT(*) AS n FROM migrations');
  return Number(row.n);
}

describe(`migrations (${usingMysql ? 'MariaDB' : 'SQLite'})`, () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let entityTables: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource(buildDataSourceOptions(parseDatabaseUrl(database.url), ENTITIES));
    await dataSource.initialize();
    entityTables = [...new Set(dataSource.entityMetadatas.map((meta) => meta.tableName))].sort();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('has migrations registered with unique names, in timestamp order', () => {
    expect(MIGRATIONS.length).toBeGreaterThan(0);
    const names = MIGRATIONS.map((migration) => migration.name);
    expect(new Set(names).size).toBe(names.length);
    const stamps = names.map((name) => Number(/(\d{13})$/.exec(name)?.[1]));
    expect(stamps.every((stamp) => Number.isFinite(stamp))).toBe(true);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it('starts from an empty database', async () => {
    expect(await tableNames(dataSource)).toEqual([]);
  });

  it('runs every migration and creates every entity table', async () => {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    expect(ran.map((m) => m.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(await tableNames(dataSource)).toEqual([...entityTables, 'migrations'].sort());
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('leaves a schema the entities agree with (no drift: migration:generate would be empty)', async () => {
    expect(await drift(dataSource, database.url)).toEqual([]);
  });

  it('reverts them one by one down to the migrations table alone', async () => {
    for (let remaining = MIGRATIONS.length; remaining > 0; remaining -= 1) {
      expect(await appliedCount(dataSource)).toBe(remaining);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await appliedCount(dataSource)).toBe(remaining - 1);
    }
    expect(await tableNames(dataSource)).toEqual(['migrations']);
    expect(await dataSource.showMigrations()).toBe(true);
  });

  it('runs them all again on the reverted database', async () => {
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    expect(ran).toHaveLength(MIGRATIONS.length);
    expect(await tableNames(dataSource)).toEqual([...entityTables, 'migrations'].sort());
    expect(await appliedCount(dataSource)).toBe(MIGRATIONS.length);
    expect(await drift(dataSource, database.url)).toEqual([]);
  });
});
