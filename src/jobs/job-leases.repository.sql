-- The SQL every method of JobLeasesRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- JobLeasesRepository.endLease [mysql]
UPDATE `job_locks` SET `expires_at` = ? WHERE `name` = ? AND `owner` = ?;

-- JobLeasesRepository.endLease [sqlite]
UPDATE "job_locks" SET "expires_at" = ? WHERE "name" = ? AND "owner" = ?;

-- JobLeasesRepository.ensureLease [mysql]
INSERT IGNORE INTO `job_locks`(`name`, `owner`, `expires_at`) VALUES (?, ?, ?);

-- JobLeasesRepository.ensureLease [sqlite]
INSERT INTO "job_locks"("name", "owner", "expires_at") VALUES (?, ?, ?) ON CONFLICT DO NOTHING;

-- JobLeasesRepository.takeLease [mysql]
UPDATE `job_locks` SET `owner` = ?, `expires_at` = ? WHERE `name` = ? AND (`expires_at` < ? OR `owner` = ?);

-- JobLeasesRepository.takeLease [sqlite]
UPDATE "job_locks" SET "owner" = ?, "expires_at" = ? WHERE "name" = ? AND ("expires_at" < ? OR "owner" = ?);
