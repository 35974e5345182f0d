-- The SQL every method of MediaKeysRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- MediaKeysRepository.drop [mysql]
DELETE FROM call_media_keys WHERE call_id = ?;

-- MediaKeysRepository.drop [sqlite]
DELETE FROM call_media_keys WHERE call_id = ?;

-- MediaKeysRepository.liveEncryptedCalls [mysql]
SELECT COUNT(*) AS n FROM calls WHERE status IN ('active', 'paused') AND encryption <> 'none';

-- MediaKeysRepository.liveEncryptedCalls [sqlite]
SELECT COUNT(*) AS n FROM calls WHERE status IN ('active', 'paused') AND encryption <> 'none';

-- MediaKeysRepository.replace [mysql]
DELETE FROM call_media_keys WHERE call_id = ?;
INSERT INTO `call_media_keys` (`call_id`, `mode`, `sealed`, `created_at`) VALUES (?, ?, ?, ?);

-- MediaKeysRepository.replace [sqlite]
DELETE FROM call_media_keys WHERE call_id = ?;
INSERT INTO "call_media_keys" ("call_id", "mode", "sealed", "created_at") VALUES (?, ?, ?, ?);

-- MediaKeysRepository.sealedOf [mysql]
SELECT `CallMediaKey`.`call_id` AS `CallMediaKey_call_id`, `CallMediaKey`.`mode` AS `CallMediaKey_mode`, `CallMediaKey`.`sealed` AS `CallMediaKey_sealed` FROM `call_media_keys` `CallMediaKey` WHERE ((`CallMediaKey`.`call_id` = ?)) LIMIT 1;

-- MediaKeysRepository.sealedOf [sqlite]
SELECT "CallMediaKey"."call_id" AS "CallMediaKey_call_id", "CallMediaKey"."mode" AS "CallMediaKey_mode", "CallMediaKey"."sealed" AS "CallMediaKey_sealed" FROM "call_media_keys" "CallMediaKey" WHERE (("CallMediaKey"."call_id" = ?)) LIMIT 1;
