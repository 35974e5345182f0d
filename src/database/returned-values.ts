import { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/** The parts of TypeORM's MySQL/MariaDB driver used here. */
interface InsertingDriver {
  createGeneratedMap(metadata: EntityMetadata, insertResult: unknown, entityIndex: number, entityNum: number): Record<string, unknown> | undefined;
  prepareHydratedValue(value: unknown, column: ColumnMetadata): unknown;
}

/**
 * The one place an inserted row's values come back into its entity, and from there into answers.
 *
 * With the `mariadb` flavour (a `mariadb://` URL, MariaDB 10.5 or later) TypeORM inserts with
 * `INSERT … RETURNING` the columns that have defaults or are generated, and merges the returned row
 * into the entity just as mysql2 hands it over, without the column's conversion: a boolean column
 * comes back as 1 or 0, so a new call answered `"isPublic": 1` and a first preferences save
 * `"voice_masking_enabled": 1`. (The `mysql` flavour reads those columns back with a SELECT, which
 * converts them; SQLite returns nothing.) Here the returned values go through the same conversion
 * as any row read (`prepareHydratedValue`), so an entity holds the same values after an insert on
 * every database and URL.
 */
export function convertReturnedValues(dataSource: DataSource): void {
  if (dataSource.options.type !== 'mariadb') return;
  const driver = dataSource.driver as unknown as InsertingDriver;
  const generatedMap = driver.createGeneratedMap.bind(driver);
  driver.createGeneratedMap = (metadata, insertResult, entityIndex, entityNum) => {
    // mysql2's result header of a plain INSERT (insertId) carries no column values.
    if (!insertResult || typeof insertResult !== 'object' || 'insertId' in insertResult) return generatedMap(metadata, insertResult, entityIndex, entityNum);
    const row: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(insertResult)) {
      const column = metadata.findColumnWithDatabaseName(name);
      row[name] = column ? driver.prepareHydratedValue(value, column) : value;
    }
    return generatedMap(metadata, row, entityIndex, entityNum);
  };
}
