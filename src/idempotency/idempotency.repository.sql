-- The SQL every method of IdempotencyRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- IdempotencyRepository.complete [mysql]
UPDATE `idempotency_keys` SET `state` = ?, `status_code` = ?, `response_body` = ? WHERE `user_id` = ? AND `idem_key` = ? AND `claimed_by` = ? AND `state` IN ('in_progress', 'committed');

-- IdempotencyRepository.complete [sqlite]
UPDATE "idempotency_keys" SET "state" = ?, "status_code" = ?, "response_body" = ? WHERE "user_id" = ? AND "idem_key" = ? AND "claimed_by" = ? AND "state" IN ('in_progress', 'committed');

-- IdempotencyRepository.deleteKeys [mysql]
DELETE FROM `idempotency_keys` WHERE `id` IN (?, …);

-- IdempotencyRepository.deleteKeys [sqlite]
DELETE FROM "idempotency_keys" WHERE "id" IN (?, …);

-- IdempotencyRepository.deleteKeysOf [mysql]
DELETE FROM `idempotency_keys` WHERE `user_id` = ?;

-- IdempotencyRepository.deleteKeysOf [sqlite]
DELETE FROM "idempotency_keys" WHERE "user_id" = ?;

-- IdempotencyRepository.expiredKeys [mysql]
SELECT `IdempotencyKey`.`id` AS `IdempotencyKey_id` FROM `idempotency_keys` `IdempotencyKey` WHERE ((`IdempotencyKey`.`created_at` < ?)) ORDER BY `IdempotencyKey`.`created_at` ASC LIMIT 500;

-- IdempotencyRepository.expiredKeys [sqlite]
SELECT "IdempotencyKey"."id" AS "IdempotencyKey_id" FROM "idempotency_keys" "IdempotencyKey" WHERE (("IdempotencyKey"."created_at" < ?)) ORDER BY "IdempotencyKey"."created_at" ASC LIMIT 500;

-- IdempotencyRepository.findKey [mysql]
SELECT `IdempotencyKey`.`id` AS `IdempotencyKey_id`, `IdempotencyKey`.`user_id` AS `IdempotencyKey_user_id`, `IdempotencyKey`.`idem_key` AS `IdempotencyKey_idem_key`, `IdempotencyKey`.`request_hash` AS `IdempotencyKey_request_hash`, `IdempotencyKey`.`state` AS `IdempotencyKey_state`, `IdempotencyKey`.`claimed_by` AS `IdempotencyKey_claimed_by`, `IdempotencyKey`.`status_code` AS `IdempotencyKey_status_code`, `IdempotencyKey`.`response_body` AS `IdempotencyKey_response_body`, `IdempotencyKey`.`created_at` AS `IdempotencyKey_created_at`, `IdempotencyKey`.`locked_until` AS `IdempotencyKey_locked_until` FROM `idempotency_keys` `IdempotencyKey` WHERE ((`IdempotencyKey`.`user_id` = ?) AND (`IdempotencyKey`.`idem_key` = ?)) LIMIT 1;

-- IdempotencyRepository.findKey [sqlite]
SELECT "IdempotencyKey"."id" AS "IdempotencyKey_id", "IdempotencyKey"."user_id" AS "IdempotencyKey_user_id", "IdempotencyKey"."idem_key" AS "IdempotencyKey_idem_key", "IdempotencyKey"."request_hash" AS "IdempotencyKey_request_hash", "IdempotencyKey"."state" AS "IdempotencyKey_state", "IdempotencyKey"."claimed_by" AS "IdempotencyKey_claimed_by", "IdempotencyKey"."status_code" AS "IdempotencyKey_status_code", "IdempotencyKey"."response_body" AS "IdempotencyKey_response_body", "IdempotencyKey"."created_at" AS "IdempotencyKey_created_at", "IdempotencyKey"."locked_until" AS "IdempotencyKey_locked_until" FROM "idempotency_keys" "IdempotencyKey" WHERE (("IdempotencyKey"."user_id" = ?) AND ("IdempotencyKey"."idem_key" = ?)) LIMIT 1;

-- IdempotencyRepository.insertClaim [mysql]
INSERT INTO `idempotency_keys`(`id`, `user_id`, `idem_key`, `request_hash`, `state`, `claimed_by`, `status_code`, `response_body`, `created_at`, `locked_until`) VALUES (DEFAULT, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- IdempotencyRepository.insertClaim [sqlite]
INSERT INTO "idempotency_keys"("id", "user_id", "idem_key", "request_hash", "state", "claimed_by", "status_code", "response_body", "created_at", "locked_until") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- IdempotencyRepository.markCommitted [mysql]
UPDATE `idempotency_keys` SET `state` = ? WHERE `user_id` = ? AND `idem_key` = ? AND `claimed_by` = ? AND `state` = 'in_progress';

-- IdempotencyRepository.markCommitted [sqlite]
UPDATE "idempotency_keys" SET "state" = ? WHERE "user_id" = ? AND "idem_key" = ? AND "claimed_by" = ? AND "state" = 'in_progress';

-- IdempotencyRepository.release [mysql]
DELETE FROM `idempotency_keys` WHERE `user_id` = ? AND `idem_key` = ? AND `claimed_by` = ? AND `state` IN (?);

-- IdempotencyRepository.release [sqlite]
DELETE FROM "idempotency_keys" WHERE "user_id" = ? AND "idem_key" = ? AND "claimed_by" = ? AND "state" IN (?);

-- IdempotencyRepository.release:afterCommit [mysql]
DELETE FROM `idempotency_keys` WHERE `user_id` = ? AND `idem_key` = ? AND `claimed_by` = ? AND `state` IN (?, …);

-- IdempotencyRepository.release:afterCommit [sqlite]
DELETE FROM "idempotency_keys" WHERE "user_id" = ? AND "idem_key" = ? AND "claimed_by" = ? AND "state" IN (?, …);

-- IdempotencyRepository.takeOver [mysql]
UPDATE `idempotency_keys` SET `request_hash` = ?, `claimed_by` = ?, `created_at` = ?, `locked_until` = ?, `state` = ?, `status_code` = ?, `response_body` = ? WHERE `id` = ? AND `claimed_by` = ?;

-- IdempotencyRepository.takeOver [sqlite]
UPDATE "idempotency_keys" SET "request_hash" = ?, "claimed_by" = ?, "created_at" = ?, "locked_until" = ?, "state" = ?, "status_code" = ?, "response_body" = ? WHERE "id" = ? AND "claimed_by" = ?;
