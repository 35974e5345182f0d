-- The SQL every method of RetentionRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- RetentionRepository.deleteEndedCalls [mysql]
DELETE FROM `call_media_segments` WHERE `call_id` IN (?);
DELETE FROM `call_sessions` WHERE `call_id` IN (?);
DELETE FROM `call_members` WHERE `call_id` IN (?);
DELETE FROM `call_uid_bindings` WHERE `call_id` IN (?);
DELETE FROM `call_mute_rules` WHERE `call_id` IN (?);
DELETE FROM `call_rings` WHERE `call_id` IN (?);
DELETE FROM `call_lobby` WHERE `call_id` IN (?);
DELETE FROM `calls` WHERE `id` IN (?) AND `status` = 'ended';

-- RetentionRepository.deleteEndedCalls [sqlite]
DELETE FROM "call_media_segments" WHERE "call_id" IN (?);
DELETE FROM "call_sessions" WHERE "call_id" IN (?);
DELETE FROM "call_members" WHERE "call_id" IN (?);
DELETE FROM "call_uid_bindings" WHERE "call_id" IN (?);
DELETE FROM "call_mute_rules" WHERE "call_id" IN (?);
DELETE FROM "call_rings" WHERE "call_id" IN (?);
DELETE FROM "call_lobby" WHERE "call_id" IN (?);
DELETE FROM "calls" WHERE "id" IN (?) AND "status" = 'ended';

-- RetentionRepository.endedCallsBefore [mysql]
SELECT `c`.`id` AS `c_id`, `c`.`created_at` AS `c_created_at` FROM `calls` `c` WHERE `c`.`status` = 'ended' AND `c`.`created_at` >= ? AND `c`.`created_at` < ? AND `c`.`analytics_state` = 2 AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = `c`.`id` AND s.folded_at IS NULL) AND NOT EXISTS (SELECT 1 FROM call_media_segments g WHERE g.call_id = `c`.`id` AND g.folded_at IS NULL) AND (`c`.`created_at` > ? OR `c`.`id` > ?) AND `c`.`ended_at` < ? ORDER BY `c_created_at` ASC, `c_id` ASC LIMIT 500;

-- RetentionRepository.endedCallsBefore [sqlite]
SELECT "c"."id" AS "c_id", "c"."created_at" AS "c_created_at" FROM "calls" "c" WHERE "c"."status" = 'ended' AND "c"."created_at" >= ? AND "c"."created_at" < ? AND "c"."analytics_state" = 2 AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = "c"."id" AND s.folded_at IS NULL) AND NOT EXISTS (SELECT 1 FROM call_media_segments g WHERE g.call_id = "c"."id" AND g.folded_at IS NULL) AND ("c"."created_at" > ? OR "c"."id" > ?) AND "c"."ended_at" < ? ORDER BY "c_created_at" ASC, "c_id" ASC LIMIT 500;
