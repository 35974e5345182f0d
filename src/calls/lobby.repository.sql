-- The SQL every method of LobbyRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- LobbyRepository.decide [mysql]
UPDATE `call_lobby` SET `state` = ?, `decided_at` = ?, `decided_by` = ? WHERE `id` IN (?, …);

-- LobbyRepository.decide [sqlite]
UPDATE "call_lobby" SET "state" = ?, "decided_at" = ?, "decided_by" = ? WHERE "id" IN (?, …);

-- LobbyRepository.entryOf [mysql]
SELECT `LobbyEntry`.`id` AS `LobbyEntry_id`, `LobbyEntry`.`user_id` AS `LobbyEntry_user_id`, `LobbyEntry`.`state` AS `LobbyEntry_state`, `LobbyEntry`.`since` AS `LobbyEntry_since`, `LobbyEntry`.`decided_at` AS `LobbyEntry_decided_at` FROM `call_lobby` `LobbyEntry` WHERE ((`LobbyEntry`.`call_id` = ?) AND (`LobbyEntry`.`user_id` = ?)) LIMIT 1;

-- LobbyRepository.entryOf [sqlite]
SELECT "LobbyEntry"."id" AS "LobbyEntry_id", "LobbyEntry"."user_id" AS "LobbyEntry_user_id", "LobbyEntry"."state" AS "LobbyEntry_state", "LobbyEntry"."since" AS "LobbyEntry_since", "LobbyEntry"."decided_at" AS "LobbyEntry_decided_at" FROM "call_lobby" "LobbyEntry" WHERE (("LobbyEntry"."call_id" = ?) AND ("LobbyEntry"."user_id" = ?)) LIMIT 1;

-- LobbyRepository.hostPresent [mysql]
SELECT s.id AS session_id FROM call_sessions s LEFT JOIN call_members m ON m.call_id = s.call_id AND m.user_id = s.user_id LEFT JOIN users u ON u.id = s.user_id WHERE s.call_id = ? AND s.open = 1 AND ((m.role IN ('host', 'moderator') AND m.removed_at IS NULL) OR u.role IN ('admin', 'super_admin')) LIMIT 1;

-- LobbyRepository.hostPresent [sqlite]
SELECT s.id AS session_id FROM call_sessions s LEFT JOIN call_members m ON m.call_id = s.call_id AND m.user_id = s.user_id LEFT JOIN users u ON u.id = s.user_id WHERE s.call_id = ? AND s.open = 1 AND ((m.role IN ('host', 'moderator') AND m.removed_at IS NULL) OR u.role IN ('admin', 'super_admin')) LIMIT 1;

-- LobbyRepository.insertWaiting [mysql]
INSERT INTO `call_lobby` (`call_id`, `user_id`, `state`, `since`, `decided_at`, `decided_by`) VALUES (?, ?, ?, ?, ?, ?);

-- LobbyRepository.insertWaiting [sqlite]
INSERT INTO "call_lobby" ("call_id", "user_id", "state", "since", "decided_at", "decided_by") VALUES (?, ?, ?, ?, ?, ?);

-- LobbyRepository.positionOf [mysql]
SELECT COUNT(1) AS `cnt` FROM `call_lobby` `l` WHERE `l`.`call_id` = ? AND `l`.`state` = 'waiting' AND `l`.`since` > ? AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = `l`.`call_id` AND s.user_id = `l`.`user_id` AND s.open = 1) AND (`l`.`since` < ? OR (`l`.`since` = ? AND `l`.`id` < ?));

-- LobbyRepository.positionOf [sqlite]
SELECT COUNT(1) AS "cnt" FROM "call_lobby" "l" WHERE "l"."call_id" = ? AND "l"."state" = 'waiting' AND "l"."since" > ? AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = "l"."call_id" AND s.user_id = "l"."user_id" AND s.open = 1) AND ("l"."since" < ? OR ("l"."since" = ? AND "l"."id" < ?));

-- LobbyRepository.restartWait [mysql]
UPDATE `call_lobby` SET `state` = ?, `since` = ?, `decided_at` = ?, `decided_by` = ? WHERE `id` = ?;

-- LobbyRepository.restartWait [sqlite]
UPDATE "call_lobby" SET "state" = ?, "since" = ?, "decided_at" = ?, "decided_by" = ? WHERE "id" = ?;

-- LobbyRepository.settingsOf [mysql]
SELECT `Call`.`id` AS `Call_id`, `Call`.`lobby` AS `Call_lobby`, `Call`.`wait_for_host` AS `Call_wait_for_host` FROM `calls` `Call` WHERE ((`Call`.`id` = ?)) LIMIT 1;

-- LobbyRepository.settingsOf [sqlite]
SELECT "Call"."id" AS "Call_id", "Call"."lobby" AS "Call_lobby", "Call"."wait_for_host" AS "Call_wait_for_host" FROM "calls" "Call" WHERE (("Call"."id" = ?)) LIMIT 1;

-- LobbyRepository.waiting [mysql]
SELECT `l`.`id` AS `l_id`, `l`.`user_id` AS `l_user_id`, `l`.`since` AS `l_since` FROM `call_lobby` `l` WHERE `l`.`call_id` = ? AND `l`.`state` = 'waiting' AND `l`.`since` > ? AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = `l`.`call_id` AND s.user_id = `l`.`user_id` AND s.open = 1) ORDER BY `l_since` ASC, `l_id` ASC;

-- LobbyRepository.waiting [sqlite]
SELECT "l"."id" AS "l_id", "l"."user_id" AS "l_user_id", "l"."since" AS "l_since" FROM "call_lobby" "l" WHERE "l"."call_id" = ? AND "l"."state" = 'waiting' AND "l"."since" > ? AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = "l"."call_id" AND s.user_id = "l"."user_id" AND s.open = 1) ORDER BY "l_since" ASC, "l_id" ASC;

-- LobbyRepository.withdraw [mysql]
DELETE FROM `call_lobby` WHERE (`call_id` = ? AND `user_id` = ? AND `state` = ?);

-- LobbyRepository.withdraw [sqlite]
DELETE FROM "call_lobby" WHERE ("call_id" = ? AND "user_id" = ? AND "state" = ?);
