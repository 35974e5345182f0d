import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * One lock per database: GET_LOCK names are server-wide, and instances migrating another database
 * on the same server (a second deployment, parallel test databases) must not wait for each other.
 * Hashed, since lock names are limited to 64 characters and database names may be as long.
 */
const LOCK_NAME_SQL = "CONCAT('ikoota_calling_migrations:', SHA1(DATABASE()))";
const LOCK_WAIT_SECONDS = 120;

/**
 * Runs pending migrations so that several instances starting at once apply each migration
 * exactly once: on MySQL/MariaDB the first takes a named server lock (GET_LOCK) and the others
 * wait for it, then find nothing left to run. SQLite serialises writers with its own file lock.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  const logger = new Logger('Migrations');
  // An event for the operator (an upgrade happened), on either database; nothing when none was pending.
  const report = (applied: Array<{ name: string }>) => {
    if (applied.length > 0) logger.log({ msg: 'migrations applied', migrations: applied.map((m) => m.name) });
  };
  if (dataSource.options.type === 'better-sqlite3') {
    report(await dataSource.runMigrations({ transaction: 'each' }));
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  try {
    await lockHolder.connect();
    const [row] = (await lockHolder.query(`SELECT GET_LOCK(${LOCK_NAME_SQL}, ?) AS got`, [LOCK_WAIT_SECONDS])) as Array<{ got: number | string | null }>;
    if (Number(row?.got) !== 1) throw new Error(`Timed out after ${LOCK_WAIT_SECONDS}s waiting for another instance's migrations`);
    try {
      report(await dataSource.runMigrations({ transaction: 'each' }));
    } finally {
      await lockHolder.query(`SELECT RELEASE_LOCK(${LOCK_NAME_SQL})`);
    }
  } finally {
    await lockHolder.release();
  }
}
