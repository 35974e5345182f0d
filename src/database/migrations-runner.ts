import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const LOCK_NAME = 'ikoota_calling_migrations';
const LOCK_WAIT_SECONDS = 120;

/**
 * Runs pending migrations so that several instances starting at once apply each migration
 * exactly once: on MySQL/MariaDB the first takes a named server lock (GET_LOCK) and the others
 * wait for it, then find nothing left to run. SQLite serialises writers with its own file lock.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  const logger = new Logger('Migrations');
  if (dataSource.options.type === 'better-sqlite3') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  try {
    await lockHolder.connect();
    const [row] = (await lockHolder.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, LOCK_WAIT_SECONDS])) as Array<{ got: number | string | null }>;
    if (Number(row?.got) !== 1) throw new Error(`Timed out after ${LOCK_WAIT_SECONDS}s waiting for another instance's migrations`);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) logger.log({ msg: 'migrations applied', migrations: applied.map((m) => m.name) });
    } finally {
      await lockHolder.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await lockHolder.release();
  }
}
