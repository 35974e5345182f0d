import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/config/database.config';
import { buildDataSourceOptions } from '../../src/database/data-source.options';
import { ENTITIES } from '../../src/entities';
import { usingMysql } from './test-app';

/**
 * The SQL `migration:generate` would write for the database at `url` (open in `dataSource`):
 * empty when its schema and the entities agree. On a MariaDB server the check uses TypeORM's
 * `mariadb` flavour (a mariadb:// URL), as DEVELOPERS.md says: the `mysql` flavour misreads
 * MariaDB's column defaults and reports every nullable column.
 */
export async function schemaDrift(dataSource: DataSource, url: string): Promise<string[]> {
  let checker = dataSource;
  if (usingMysql) {
    const [{ version }] = await dataSource.query('SELECT VERSION() AS version');
    if (/mariadb/i.test(version)) {
      checker = new DataSource(buildDataSourceOptions(parseDatabaseUrl(url.replace(/^mysql:/, 'mariadb:')), ENTITIES));
      await checker.initialize();
    }
  }
  try {
    const sql = await checker.driver.createSchemaBuilder().log();
    return sql.upQueries.map((query) => query.query);
  } finally {
    if (checker !== dataSource) await checker.destroy();
  }
}
