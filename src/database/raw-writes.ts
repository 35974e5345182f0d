import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Hot-path writes as fixed SQL strings instead of query builders. Building an INSERT or UPDATE
 * through TypeORM's builders costs more CPU than the database spends running it (about a fifth of
 * a join's CPU on SQLite); the SQL itself is the same. Values still go through the driver's own
 * conversion for their column (`preparePersistentValue`: dates as SQLite stores them, booleans,
 * transformers), so rows read back exactly as TypeORM wrote them before.
 */

/** The structured answer of `manager.query(sql, params, true)` on either driver. */
interface WriteResult {
  affected?: number;
  raw: unknown;
}

/** Runs a write in the manager's transaction, answering the driver's structured result. */
async function write(manager: EntityManager, sql: string, parameters: unknown[]): Promise<WriteResult> {
  // Writes run inside TransactionRunner.run, whose manager carries its query runner.
  if (!manager.queryRunner) throw new Error('raw writes need a transaction (TransactionRunner.run)');
  return (await manager.queryRunner.query(sql, parameters, true)) as WriteResult;
}

/** Rows an INSERT, UPDATE or DELETE changed. */
export async function execute(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number> {
  return (await write(manager, sql, parameters)).affected ?? 0;
}

/** One column's value as the driver would write it. */
export function persisted<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, property: keyof T & string, value: unknown): unknown {
  return manager.connection.driver.preparePersistentValue(value, columnOf(manager.connection, entity, property));
}

const columns = new WeakMap<DataSource, Map<EntityTarget<ObjectLiteral>, Map<string, ColumnMetadata>>>();

function columnOf(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, property: string): ColumnMetadata {
  let byEntity = columns.get(dataSource);
  if (!byEntity) columns.set(dataSource, (byEntity = new Map()));
  let byProperty = byEntity.get(entity);
  if (!byProperty) byEntity.set(entity, (byProperty = new Map()));
  let column = byProperty.get(property);
  if (!column) {
    column = dataSource.getMetadata(entity).findColumnWithPropertyName(property);
    if (!column) throw new Error(`No column for ${property}`);
    byProperty.set(property, column);
  }
  return column;
}

/**
 * An INSERT of the given properties into an entity's table, its SQL built once per data source,
 * answering the generated id.
 */
export class InsertStatement<T extends ObjectLiteral, K extends keyof T & string> {
  private readonly sql = new WeakMap<DataSource, string>();

  constructor(
    private readonly entity: EntityTarget<T>,
    private readonly properties: readonly K[],
  ) {}

  async run(manager: EntityManager, values: Pick<T, K>): Promise<number> {
    const dataSource = manager.connection;
    const parameters = this.properties.map((property) => dataSource.driver.preparePersistentValue(values[property], columnOf(dataSource, this.entity, property)));
    const result = await write(manager, this.sqlFor(dataSource), parameters);
    // better-sqlite3 answers lastInsertRowid; mysql2 a ResultSetHeader with insertId.
    const raw = result.raw as number | bigint | { insertId: number };
    return Number(typeof raw === 'object' ? raw.insertId : raw);
  }

  /** The same INSERT for several rows in one statement (one round trip); ids are not answered. */
  async runMany(manager: EntityManager, rows: ReadonlyArray<Pick<T, K>>): Promise<void> {
    if (rows.length === 0) return;
    const dataSource = manager.connection;
    const parameters = rows.flatMap((values) => this.properties.map((property) => dataSource.driver.preparePersistentValue(values[property], columnOf(dataSource, this.entity, property))));
    const tuple = `, (${this.properties.map(() => '?').join(', ')})`;
    await write(manager, this.sqlFor(dataSource) + tuple.repeat(rows.length - 1), parameters);
  }

  private sqlFor(dataSource: DataSource): string {
    let sql = this.sql.get(dataSource);
    if (!sql) {
      const metadata = dataSource.getMetadata(this.entity);
      const escape = (name: string) => dataSource.driver.escape(name);
      const names = this.properties.map((property) => escape(columnOf(dataSource, this.entity, property).databaseName));
      sql = `INSERT INTO ${escape(metadata.tableName)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
      this.sql.set(dataSource, sql);
    }
    return sql;
  }
}
