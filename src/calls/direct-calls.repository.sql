-- The SQL every method of DirectCallsRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- DirectCallsRepository.endRinging [mysql]
UPDATE `call_rings` SET `state` = ?, `answered_at` = ? WHERE `call_id` = ? AND `state` = 'ringing';

-- DirectCallsRepository.endRinging [sqlite]
UPDATE "call_rings" SET "state" = ?, "answered_at" = ? WHERE "call_id" = ? AND "state" = 'ringing';

-- DirectCallsRepository.insertRing [mysql]
INSERT INTO `call_rings`(`call_id`, `caller_id`, `callee_id`, `media`, `state`, `expires_at`, `answered_at`) VALUES (?, ?, ?, ?, ?, ?, ?);

-- DirectCallsRepository.insertRing [sqlite]
INSERT INTO "call_rings"("call_id", "caller_id", "callee_id", "media", "state", "expires_at", "answered_at") VALUES (?, ?, ?, ?, ?, ?, ?);

-- DirectCallsRepository.ringOf [mysql]
SELECT `CallRing`.`call_id` AS `CallRing_call_id`, `CallRing`.`caller_id` AS `CallRing_caller_id`, `CallRing`.`callee_id` AS `CallRing_callee_id`, `CallRing`.`media` AS `CallRing_media`, `CallRing`.`state` AS `CallRing_state`, `CallRing`.`expires_at` AS `CallRing_expires_at`, `CallRing`.`answered_at` AS `CallRing_answered_at` FROM `call_rings` `CallRing` WHERE ((`CallRing`.`call_id` = ?)) LIMIT 1;

-- DirectCallsRepository.ringOf [sqlite]
SELECT "CallRing"."call_id" AS "CallRing_call_id", "CallRing"."caller_id" AS "CallRing_caller_id", "CallRing"."callee_id" AS "CallRing_callee_id", "CallRing"."media" AS "CallRing_media", "CallRing"."state" AS "CallRing_state", "CallRing"."expires_at" AS "CallRing_expires_at", "CallRing"."answered_at" AS "CallRing_answered_at" FROM "call_rings" "CallRing" WHERE (("CallRing"."call_id" = ?)) LIMIT 1;

-- DirectCallsRepository.ringsDue [mysql]
SELECT `r`.`call_id` AS `r_call_id`, `r`.`caller_id` AS `r_caller_id`, `r`.`callee_id` AS `r_callee_id`, `r`.`media` AS `r_media`, `r`.`state` AS `r_state`, `r`.`expires_at` AS `r_expires_at`, `r`.`answered_at` AS `r_answered_at` FROM `call_rings` `r` WHERE `r`.`state` = 'ringing' AND `r`.`expires_at` <= ? ORDER BY `r`.`expires_at` ASC LIMIT 100;

-- DirectCallsRepository.ringsDue [sqlite]
SELECT "r"."call_id" AS "r_call_id", "r"."caller_id" AS "r_caller_id", "r"."callee_id" AS "r_callee_id", "r"."media" AS "r_media", "r"."state" AS "r_state", "r"."expires_at" AS "r_expires_at", "r"."answered_at" AS "r_answered_at" FROM "call_rings" "r" WHERE "r"."state" = 'ringing' AND "r"."expires_at" <= ? ORDER BY "r"."expires_at" ASC LIMIT 100;
