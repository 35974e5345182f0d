-- The SQL every method of CallsErasureRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- CallsErasureRepository.callsWithPlaceOf [mysql]
SELECT call_id FROM call_members WHERE user_id = ? UNION SELECT call_id FROM call_sessions WHERE user_id = ? AND open = 1 UNION SELECT call_id FROM call_lobby WHERE user_id = ? UNION SELECT call_id FROM call_uid_bindings WHERE user_id = ? ORDER BY call_id;

-- CallsErasureRepository.callsWithPlaceOf [sqlite]
SELECT call_id FROM call_members WHERE user_id = ? UNION SELECT call_id FROM call_sessions WHERE user_id = ? AND open = 1 UNION SELECT call_id FROM call_lobby WHERE user_id = ? UNION SELECT call_id FROM call_uid_bindings WHERE user_id = ? ORDER BY call_id;

-- CallsErasureRepository.deleteLobbyEntry [mysql]
DELETE FROM `call_lobby` WHERE (`call_id` = ? AND `user_id` = ?);

-- CallsErasureRepository.deleteLobbyEntry [sqlite]
DELETE FROM "call_lobby" WHERE ("call_id" = ? AND "user_id" = ?);

-- CallsErasureRepository.deleteMember [mysql]
DELETE FROM `call_members` WHERE (`call_id` = ? AND `user_id` = ?);

-- CallsErasureRepository.deleteMember [sqlite]
DELETE FROM "call_members" WHERE ("call_id" = ? AND "user_id" = ?);

-- CallsErasureRepository.deleteUidBindings [mysql]
DELETE FROM `call_uid_bindings` WHERE (`call_id` = ? AND `user_id` = ?);

-- CallsErasureRepository.deleteUidBindings [sqlite]
DELETE FROM "call_uid_bindings" WHERE ("call_id" = ? AND "user_id" = ?);

-- CallsErasureRepository.idInUse [mysql]
SELECT 1 AS `row_exists` FROM (SELECT 1 AS dummy_column) `dummy_table` WHERE EXISTS (SELECT 1 FROM `call_sessions` `CallSession` WHERE ((`CallSession`.`user_id` = ?))) LIMIT 1;
SELECT 1 AS `row_exists` FROM (SELECT 1 AS dummy_column) `dummy_table` WHERE EXISTS (SELECT 1 FROM `calls` `Call` WHERE ((`Call`.`creator_id` = ?))) LIMIT 1;

-- CallsErasureRepository.idInUse [sqlite]
SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "call_sessions" "CallSession" WHERE (("CallSession"."user_id" = ?))) LIMIT 1;
SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "calls" "Call" WHERE (("Call"."creator_id" = ?))) LIMIT 1;

-- CallsErasureRepository.moveCreator [mysql]
UPDATE `calls` SET `creator_id` = ? WHERE `creator_id` = ?;

-- CallsErasureRepository.moveCreator [sqlite]
UPDATE "calls" SET "creator_id" = ? WHERE "creator_id" = ?;

-- CallsErasureRepository.moveLobbyDecisions [mysql]
SELECT `LobbyEntry`.`id` AS `LobbyEntry_id` FROM `call_lobby` `LobbyEntry` WHERE ((`LobbyEntry`.`decided_by` = ?));
UPDATE `call_lobby` SET `decided_by` = ? WHERE (`id` IN (?) AND `decided_by` = ?);

-- CallsErasureRepository.moveLobbyDecisions [sqlite]
SELECT "LobbyEntry"."id" AS "LobbyEntry_id" FROM "call_lobby" "LobbyEntry" WHERE (("LobbyEntry"."decided_by" = ?));
UPDATE "call_lobby" SET "decided_by" = ? WHERE ("id" IN (?) AND "decided_by" = ?);

-- CallsErasureRepository.moveRings [mysql]
SELECT `CallRing`.`call_id` AS `CallRing_call_id` FROM `call_rings` `CallRing` WHERE ((`CallRing`.`caller_id` = ?));
SELECT `CallRing`.`call_id` AS `CallRing_call_id` FROM `call_rings` `CallRing` WHERE ((`CallRing`.`callee_id` = ?));
UPDATE `call_rings` SET `caller_id` = ? WHERE (`call_id` IN (?) AND `caller_id` = ?);

-- CallsErasureRepository.moveRings [sqlite]
SELECT "CallRing"."call_id" AS "CallRing_call_id" FROM "call_rings" "CallRing" WHERE (("CallRing"."caller_id" = ?));
SELECT "CallRing"."call_id" AS "CallRing_call_id" FROM "call_rings" "CallRing" WHERE (("CallRing"."callee_id" = ?));
UPDATE "call_rings" SET "caller_id" = ? WHERE ("call_id" IN (?) AND "caller_id" = ?);

-- CallsErasureRepository.moveSessions [mysql]
SELECT `CallSession`.`id` AS `CallSession_id` FROM `call_sessions` `CallSession` WHERE ((`CallSession`.`user_id` = ?));
UPDATE `call_media_segments` SET `user_id` = ? WHERE (`session_id` IN (?) AND `user_id` = ?);
UPDATE `call_sessions` SET `user_id` = ? WHERE `user_id` = ?;

-- CallsErasureRepository.moveSessions [sqlite]
SELECT "CallSession"."id" AS "CallSession_id" FROM "call_sessions" "CallSession" WHERE (("CallSession"."user_id" = ?));
UPDATE "call_media_segments" SET "user_id" = ? WHERE ("session_id" IN (?) AND "user_id" = ?);
UPDATE "call_sessions" SET "user_id" = ? WHERE "user_id" = ?;
