-- The SQL every method of EventsRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- EventsRepository.after [mysql]
SELECT `e`.`id` AS `e_id`, `e`.`type` AS `e_type`, `e`.`call_id` AS `e_call_id`, `e`.`user_id` AS `e_user_id`, `e`.`actor_id` AS `e_actor_id`, `e`.`reason` AS `e_reason`, `e`.`data` AS `e_data`, `e`.`occurred_at` AS `e_occurred_at`, `e`.`status` AS `e_status`, `e`.`attempts` AS `e_attempts`, `e`.`first_attempt_at` AS `e_first_attempt_at`, `e`.`next_attempt_at` AS `e_next_attempt_at`, `e`.`delivered_at` AS `e_delivered_at`, `e`.`last_error` AS `e_last_error` FROM `call_events` `e` WHERE `e`.`id` > ? AND `e`.`occurred_at` >= ? ORDER BY `e`.`id` ASC LIMIT 500;

-- EventsRepository.after [sqlite]
SELECT "e"."id" AS "e_id", "e"."type" AS "e_type", "e"."call_id" AS "e_call_id", "e"."user_id" AS "e_user_id", "e"."actor_id" AS "e_actor_id", "e"."reason" AS "e_reason", "e"."data" AS "e_data", "e"."occurred_at" AS "e_occurred_at", "e"."status" AS "e_status", "e"."attempts" AS "e_attempts", "e"."first_attempt_at" AS "e_first_attempt_at", "e"."next_attempt_at" AS "e_next_attempt_at", "e"."delivered_at" AS "e_delivered_at", "e"."last_error" AS "e_last_error" FROM "call_events" "e" WHERE "e"."id" > ? AND "e"."occurred_at" >= ? ORDER BY "e"."id" ASC LIMIT 500;

-- EventsRepository.byIds [mysql]
SELECT `e`.`id` AS `e_id`, `e`.`type` AS `e_type`, `e`.`call_id` AS `e_call_id`, `e`.`user_id` AS `e_user_id`, `e`.`actor_id` AS `e_actor_id`, `e`.`reason` AS `e_reason`, `e`.`data` AS `e_data`, `e`.`occurred_at` AS `e_occurred_at`, `e`.`status` AS `e_status`, `e`.`attempts` AS `e_attempts`, `e`.`first_attempt_at` AS `e_first_attempt_at`, `e`.`next_attempt_at` AS `e_next_attempt_at`, `e`.`delivered_at` AS `e_delivered_at`, `e`.`last_error` AS `e_last_error` FROM `call_events` `e` WHERE `e`.`id` IN (?, …) ORDER BY `e`.`id` ASC;

-- EventsRepository.byIds [sqlite]
SELECT "e"."id" AS "e_id", "e"."type" AS "e_type", "e"."call_id" AS "e_call_id", "e"."user_id" AS "e_user_id", "e"."actor_id" AS "e_actor_id", "e"."reason" AS "e_reason", "e"."data" AS "e_data", "e"."occurred_at" AS "e_occurred_at", "e"."status" AS "e_status", "e"."attempts" AS "e_attempts", "e"."first_attempt_at" AS "e_first_attempt_at", "e"."next_attempt_at" AS "e_next_attempt_at", "e"."delivered_at" AS "e_delivered_at", "e"."last_error" AS "e_last_error" FROM "call_events" "e" WHERE "e"."id" IN (?, …) ORDER BY "e"."id" ASC;

-- EventsRepository.dueHeads [mysql]
SELECT `e`.`id` AS `e_id`, `e`.`type` AS `e_type`, `e`.`call_id` AS `e_call_id`, `e`.`user_id` AS `e_user_id`, `e`.`actor_id` AS `e_actor_id`, `e`.`reason` AS `e_reason`, `e`.`data` AS `e_data`, `e`.`occurred_at` AS `e_occurred_at`, `e`.`status` AS `e_status`, `e`.`attempts` AS `e_attempts`, `e`.`first_attempt_at` AS `e_first_attempt_at`, `e`.`next_attempt_at` AS `e_next_attempt_at`, `e`.`delivered_at` AS `e_delivered_at`, `e`.`last_error` AS `e_last_error` FROM `call_events` `e` WHERE `e`.`status` = 'pending' AND (`e`.`next_attempt_at` IS NULL OR `e`.`next_attempt_at` <= ?) AND NOT EXISTS (SELECT 1 FROM call_events p WHERE p.status = 'pending' AND p.call_id = `e`.`call_id` AND p.id < `e`.`id`) ORDER BY `e`.`id` ASC LIMIT 50;

-- EventsRepository.dueHeads [sqlite]
SELECT "e"."id" AS "e_id", "e"."type" AS "e_type", "e"."call_id" AS "e_call_id", "e"."user_id" AS "e_user_id", "e"."actor_id" AS "e_actor_id", "e"."reason" AS "e_reason", "e"."data" AS "e_data", "e"."occurred_at" AS "e_occurred_at", "e"."status" AS "e_status", "e"."attempts" AS "e_attempts", "e"."first_attempt_at" AS "e_first_attempt_at", "e"."next_attempt_at" AS "e_next_attempt_at", "e"."delivered_at" AS "e_delivered_at", "e"."last_error" AS "e_last_error" FROM "call_events" "e" WHERE "e"."status" = 'pending' AND ("e"."next_attempt_at" IS NULL OR "e"."next_attempt_at" <= ?) AND NOT EXISTS (SELECT 1 FROM call_events p WHERE p.status = 'pending' AND p.call_id = "e"."call_id" AND p.id < "e"."id") ORDER BY "e"."id" ASC LIMIT 50;

-- EventsRepository.dueHeads:_skipping [mysql]
SELECT `e`.`id` AS `e_id`, `e`.`type` AS `e_type`, `e`.`call_id` AS `e_call_id`, `e`.`user_id` AS `e_user_id`, `e`.`actor_id` AS `e_actor_id`, `e`.`reason` AS `e_reason`, `e`.`data` AS `e_data`, `e`.`occurred_at` AS `e_occurred_at`, `e`.`status` AS `e_status`, `e`.`attempts` AS `e_attempts`, `e`.`first_attempt_at` AS `e_first_attempt_at`, `e`.`next_attempt_at` AS `e_next_attempt_at`, `e`.`delivered_at` AS `e_delivered_at`, `e`.`last_error` AS `e_last_error` FROM `call_events` `e` WHERE `e`.`status` = 'pending' AND (`e`.`next_attempt_at` IS NULL OR `e`.`next_attempt_at` <= ?) AND NOT EXISTS (SELECT 1 FROM call_events p WHERE p.status = 'pending' AND p.call_id = `e`.`call_id` AND p.id < `e`.`id`) AND `e`.`id` NOT IN (?, …) ORDER BY `e`.`id` ASC LIMIT 50;

-- EventsRepository.dueHeads:_skipping [sqlite]
SELECT "e"."id" AS "e_id", "e"."type" AS "e_type", "e"."call_id" AS "e_call_id", "e"."user_id" AS "e_user_id", "e"."actor_id" AS "e_actor_id", "e"."reason" AS "e_reason", "e"."data" AS "e_data", "e"."occurred_at" AS "e_occurred_at", "e"."status" AS "e_status", "e"."attempts" AS "e_attempts", "e"."first_attempt_at" AS "e_first_attempt_at", "e"."next_attempt_at" AS "e_next_attempt_at", "e"."delivered_at" AS "e_delivered_at", "e"."last_error" AS "e_last_error" FROM "call_events" "e" WHERE "e"."status" = 'pending' AND ("e"."next_attempt_at" IS NULL OR "e"."next_attempt_at" <= ?) AND NOT EXISTS (SELECT 1 FROM call_events p WHERE p.status = 'pending' AND p.call_id = "e"."call_id" AND p.id < "e"."id") AND "e"."id" NOT IN (?, …) ORDER BY "e"."id" ASC LIMIT 50;

-- EventsRepository.lastId [mysql]
SELECT MAX(`e`.`id`) AS `id` FROM `call_events` `e`;

-- EventsRepository.lastId [sqlite]
SELECT MAX("e"."id") AS "id" FROM "call_events" "e";

-- EventsRepository.markAttemptFailed [mysql]
UPDATE `call_events` SET `status` = ?, `attempts` = `attempts` + 1, `first_attempt_at` = ?, `next_attempt_at` = ?, `last_error` = ? WHERE `id` = ? AND `status` = 'pending';

-- EventsRepository.markAttemptFailed [sqlite]
UPDATE "call_events" SET "status" = ?, "attempts" = "attempts" + 1, "first_attempt_at" = ?, "next_attempt_at" = ?, "last_error" = ? WHERE "id" = ? AND "status" = 'pending';

-- EventsRepository.markDelivered [mysql]
UPDATE `call_events` SET `status` = ?, `delivered_at` = ?, `attempts` = `attempts` + 1, `first_attempt_at` = ?, `next_attempt_at` = ?, `last_error` = ? WHERE `id` = ? AND `status` = 'pending';

-- EventsRepository.markDelivered [sqlite]
UPDATE "call_events" SET "status" = ?, "delivered_at" = ?, "attempts" = "attempts" + 1, "first_attempt_at" = ?, "next_attempt_at" = ?, "last_error" = ? WHERE "id" = ? AND "status" = 'pending';

-- EventsRepository.page [mysql]
SELECT `e`.`id` AS `e_id`, `e`.`type` AS `e_type`, `e`.`call_id` AS `e_call_id`, `e`.`user_id` AS `e_user_id`, `e`.`actor_id` AS `e_actor_id`, `e`.`reason` AS `e_reason`, `e`.`data` AS `e_data`, `e`.`occurred_at` AS `e_occurred_at`, `e`.`status` AS `e_status`, `e`.`attempts` AS `e_attempts`, `e`.`first_attempt_at` AS `e_first_attempt_at`, `e`.`next_attempt_at` AS `e_next_attempt_at`, `e`.`delivered_at` AS `e_delivered_at`, `e`.`last_error` AS `e_last_error` FROM `call_events` `e` WHERE `e`.`status` = ? AND `e`.`id` < ? ORDER BY `e`.`id` DESC LIMIT 51;

-- EventsRepository.page [sqlite]
SELECT "e"."id" AS "e_id", "e"."type" AS "e_type", "e"."call_id" AS "e_call_id", "e"."user_id" AS "e_user_id", "e"."actor_id" AS "e_actor_id", "e"."reason" AS "e_reason", "e"."data" AS "e_data", "e"."occurred_at" AS "e_occurred_at", "e"."status" AS "e_status", "e"."attempts" AS "e_attempts", "e"."first_attempt_at" AS "e_first_attempt_at", "e"."next_attempt_at" AS "e_next_attempt_at", "e"."delivered_at" AS "e_delivered_at", "e"."last_error" AS "e_last_error" FROM "call_events" "e" WHERE "e"."status" = ? AND "e"."id" < ? ORDER BY "e"."id" DESC LIMIT 51;
