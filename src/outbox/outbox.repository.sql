-- The SQL every method of OutboxRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- OutboxRepository.deleteEvents [mysql]
DELETE FROM `call_events` WHERE `id` IN (?, …);

-- OutboxRepository.deleteEvents [sqlite]
DELETE FROM "call_events" WHERE "id" IN (?, …);

-- OutboxRepository.idsNaming [mysql]
SELECT `e`.`id` AS `e_id` FROM `call_events` `e` WHERE `e`.`id` > ? AND (`e`.`user_id` = ? OR `e`.`actor_id` = ? OR `e`.`data` LIKE ? ESCAPE '!') ORDER BY `e_id` ASC LIMIT 500;

-- OutboxRepository.idsNaming [sqlite]
SELECT "e"."id" AS "e_id" FROM "call_events" "e" WHERE "e"."id" > ? AND ("e"."user_id" = ? OR "e"."actor_id" = ? OR "e"."data" LIKE ? ESCAPE '!') ORDER BY "e_id" ASC LIMIT 500;

-- OutboxRepository.insert [mysql]
INSERT INTO `call_events`(`id`, `type`, `call_id`, `user_id`, `actor_id`, `reason`, `data`, `occurred_at`, `status`, `attempts`, `first_attempt_at`, `next_attempt_at`, `delivered_at`, `last_error`) VALUES (DEFAULT, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- OutboxRepository.insert [sqlite]
INSERT INTO "call_events"("id", "type", "call_id", "user_id", "actor_id", "reason", "data", "occurred_at", "status", "attempts", "first_attempt_at", "next_attempt_at", "delivered_at", "last_error") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- OutboxRepository.purgeBatch [mysql]
SELECT `e`.`id` AS `e_id` FROM `call_events` `e` WHERE `e`.`occurred_at` < ? AND `e`.`status` = 'delivered' ORDER BY `e`.`occurred_at` ASC LIMIT 500;

-- OutboxRepository.purgeBatch [sqlite]
SELECT "e"."id" AS "e_id" FROM "call_events" "e" WHERE "e"."occurred_at" < ? AND "e"."status" = 'delivered' ORDER BY "e"."occurred_at" ASC LIMIT 500;

-- OutboxRepository.purgeBatch:_any_status [mysql]
SELECT `e`.`id` AS `e_id` FROM `call_events` `e` WHERE `e`.`occurred_at` < ? ORDER BY `e`.`occurred_at` ASC LIMIT 500;
DELETE FROM `call_events` WHERE `id` IN (?, …);

-- OutboxRepository.purgeBatch:_any_status [sqlite]
SELECT "e"."id" AS "e_id" FROM "call_events" "e" WHERE "e"."occurred_at" < ? ORDER BY "e"."occurred_at" ASC LIMIT 500;
DELETE FROM "call_events" WHERE "id" IN (?, …);
