-- The SQL every method of CallScheduleRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- CallScheduleRepository.claimReminder:_ending [mysql]
UPDATE `calls` SET `ending_soon_sent_for` = ? WHERE `id` = ? AND `status` IN ('active', 'paused') AND `ends_at` = ? AND (`ending_soon_sent_for` IS NULL OR `ending_soon_sent_for` <> ?);

-- CallScheduleRepository.claimReminder:_ending [sqlite]
UPDATE "calls" SET "ending_soon_sent_for" = ? WHERE "id" = ? AND "status" IN ('active', 'paused') AND "ends_at" = ? AND ("ending_soon_sent_for" IS NULL OR "ending_soon_sent_for" <> ?);

-- CallScheduleRepository.claimReminder:_starting [mysql]
UPDATE `calls` SET `starting_soon_sent_for` = ? WHERE `id` = ? AND `status` IN ('active', 'paused') AND `starts_at` = ? AND (`starting_soon_sent_for` IS NULL OR `starting_soon_sent_for` <> ?);

-- CallScheduleRepository.claimReminder:_starting [sqlite]
UPDATE "calls" SET "starting_soon_sent_for" = ? WHERE "id" = ? AND "status" IN ('active', 'paused') AND "starts_at" = ? AND ("starting_soon_sent_for" IS NULL OR "starting_soon_sent_for" <> ?);

-- CallScheduleRepository.dueForReminder:_ending [mysql]
SELECT `c`.`id` AS `c_id`, `c`.`title` AS `c_title`, `c`.`starts_at` AS `c_starts_at`, `c`.`ends_at` AS `c_ends_at` FROM `calls` `c` WHERE `c`.`status` IN ('active', 'paused') AND `c`.`ends_at` > ? AND `c`.`ends_at` <= ? AND (`c`.`ending_soon_sent_for` IS NULL OR `c`.`ending_soon_sent_for` <> `c`.`ends_at`) ORDER BY `c`.`ends_at` ASC, `c_id` ASC LIMIT 100;

-- CallScheduleRepository.dueForReminder:_ending [sqlite]
SELECT "c"."id" AS "c_id", "c"."title" AS "c_title", "c"."starts_at" AS "c_starts_at", "c"."ends_at" AS "c_ends_at" FROM "calls" "c" WHERE "c"."status" IN ('active', 'paused') AND "c"."ends_at" > ? AND "c"."ends_at" <= ? AND ("c"."ending_soon_sent_for" IS NULL OR "c"."ending_soon_sent_for" <> "c"."ends_at") ORDER BY "c"."ends_at" ASC, "c_id" ASC LIMIT 100;

-- CallScheduleRepository.dueForReminder:_starting [mysql]
SELECT `c`.`id` AS `c_id`, `c`.`title` AS `c_title`, `c`.`starts_at` AS `c_starts_at`, `c`.`ends_at` AS `c_ends_at` FROM `calls` `c` WHERE `c`.`status` IN ('active', 'paused') AND `c`.`starts_at` > ? AND `c`.`starts_at` <= ? AND (`c`.`starting_soon_sent_for` IS NULL OR `c`.`starting_soon_sent_for` <> `c`.`starts_at`) ORDER BY `c`.`starts_at` ASC, `c_id` ASC LIMIT 100;

-- CallScheduleRepository.dueForReminder:_starting [sqlite]
SELECT "c"."id" AS "c_id", "c"."title" AS "c_title", "c"."starts_at" AS "c_starts_at", "c"."ends_at" AS "c_ends_at" FROM "calls" "c" WHERE "c"."status" IN ('active', 'paused') AND "c"."starts_at" > ? AND "c"."starts_at" <= ? AND ("c"."starting_soon_sent_for" IS NULL OR "c"."starting_soon_sent_for" <> "c"."starts_at") ORDER BY "c"."starts_at" ASC, "c_id" ASC LIMIT 100;

-- CallScheduleRepository.dueToEnd [mysql]
SELECT `c`.`id` AS `c_id`, `c`.`title` AS `c_title`, `c`.`starts_at` AS `c_starts_at`, `c`.`ends_at` AS `c_ends_at` FROM `calls` `c` WHERE `c`.`status` IN ('active', 'paused') AND `c`.`ends_at` <= ? ORDER BY `c`.`ends_at` ASC, `c_id` ASC LIMIT 100;

-- CallScheduleRepository.dueToEnd [sqlite]
SELECT "c"."id" AS "c_id", "c"."title" AS "c_title", "c"."starts_at" AS "c_starts_at", "c"."ends_at" AS "c_ends_at" FROM "calls" "c" WHERE "c"."status" IN ('active', 'paused') AND "c"."ends_at" <= ? ORDER BY "c"."ends_at" ASC, "c_id" ASC LIMIT 100;

-- CallScheduleRepository.latestStay [mysql]
SELECT MAX(`s`.`joined_at`) AS `joined`, MAX(`s`.`left_at`) AS `left` FROM `call_sessions` `s` WHERE `s`.`call_id` = ?;

-- CallScheduleRepository.latestStay [sqlite]
SELECT MAX("s"."joined_at") AS "joined", MAX("s"."left_at") AS "left" FROM "call_sessions" "s" WHERE "s"."call_id" = ?;
