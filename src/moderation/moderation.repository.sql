-- The SQL every method of ModerationRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- ModerationRepository.deleteMuteRulesOf [mysql]
DELETE FROM `call_mute_rules` WHERE (`call_id` = ? AND `user_id` = ?);

-- ModerationRepository.deleteMuteRulesOf [sqlite]
DELETE FROM "call_mute_rules" WHERE ("call_id" = ? AND "user_id" = ?);

-- ModerationRepository.forgetMuteRules [mysql]
DELETE FROM `call_mute_rules` WHERE `id` IN (?, …);

-- ModerationRepository.forgetMuteRules [sqlite]
DELETE FROM "call_mute_rules" WHERE "id" IN (?, …);

-- ModerationRepository.keepMuteRules [mysql]
INSERT INTO `call_mute_rules`(`id`, `call_id`, `user_id`, `uid`, `privilege`, `rule_id`, `created_at`, `expires_at`) VALUES (DEFAULT, ?, ?, ?, ?, ?, ?, ?);

-- ModerationRepository.keepMuteRules [sqlite]
INSERT INTO "call_mute_rules"("id", "call_id", "user_id", "uid", "privilege", "rule_id", "created_at", "expires_at") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?);

-- ModerationRepository.markRemoved [mysql]
SELECT `CallMember`.`id` AS `CallMember_id`, `CallMember`.`call_id` AS `CallMember_call_id`, `CallMember`.`user_id` AS `CallMember_user_id`, `CallMember`.`role` AS `CallMember_role`, `CallMember`.`created_at` AS `CallMember_created_at`, `CallMember`.`removed_at` AS `CallMember_removed_at`, `CallMember`.`audio_muted_at` AS `CallMember_audio_muted_at`, `CallMember`.`video_muted_at` AS `CallMember_video_muted_at`, `CallMember`.`speaker_at` AS `CallMember_speaker_at`, `CallMember`.`demoted_at` AS `CallMember_demoted_at`, `CallMember`.`hand_raised_at` AS `CallMember_hand_raised_at`, `CallMember`.`hand_session_id` AS `CallMember_hand_session_id` FROM `call_members` `CallMember` WHERE ((`CallMember`.`call_id` = ?) AND (`CallMember`.`user_id` = ?)) LIMIT 1;
UPDATE `call_members` SET `removed_at` = ? WHERE `id` = ?;

-- ModerationRepository.markRemoved [sqlite]
SELECT "CallMember"."id" AS "CallMember_id", "CallMember"."call_id" AS "CallMember_call_id", "CallMember"."user_id" AS "CallMember_user_id", "CallMember"."role" AS "CallMember_role", "CallMember"."created_at" AS "CallMember_created_at", "CallMember"."removed_at" AS "CallMember_removed_at", "CallMember"."audio_muted_at" AS "CallMember_audio_muted_at", "CallMember"."video_muted_at" AS "CallMember_video_muted_at", "CallMember"."speaker_at" AS "CallMember_speaker_at", "CallMember"."demoted_at" AS "CallMember_demoted_at", "CallMember"."hand_raised_at" AS "CallMember_hand_raised_at", "CallMember"."hand_session_id" AS "CallMember_hand_session_id" FROM "call_members" "CallMember" WHERE (("CallMember"."call_id" = ?) AND ("CallMember"."user_id" = ?)) LIMIT 1;
UPDATE "call_members" SET "removed_at" = ? WHERE "id" = ?;

-- ModerationRepository.muteRulesOf [mysql]
SELECT `MuteRule`.`id` AS `MuteRule_id`, `MuteRule`.`call_id` AS `MuteRule_call_id`, `MuteRule`.`user_id` AS `MuteRule_user_id`, `MuteRule`.`uid` AS `MuteRule_uid`, `MuteRule`.`privilege` AS `MuteRule_privilege`, `MuteRule`.`rule_id` AS `MuteRule_rule_id`, `MuteRule`.`created_at` AS `MuteRule_created_at`, `MuteRule`.`expires_at` AS `MuteRule_expires_at` FROM `call_mute_rules` `MuteRule` WHERE ((`MuteRule`.`call_id` = ?) AND (`MuteRule`.`user_id` = ?) AND (`MuteRule`.`privilege` IN (?)));

-- ModerationRepository.muteRulesOf [sqlite]
SELECT "MuteRule"."id" AS "MuteRule_id", "MuteRule"."call_id" AS "MuteRule_call_id", "MuteRule"."user_id" AS "MuteRule_user_id", "MuteRule"."uid" AS "MuteRule_uid", "MuteRule"."privilege" AS "MuteRule_privilege", "MuteRule"."rule_id" AS "MuteRule_rule_id", "MuteRule"."created_at" AS "MuteRule_created_at", "MuteRule"."expires_at" AS "MuteRule_expires_at" FROM "call_mute_rules" "MuteRule" WHERE (("MuteRule"."call_id" = ?) AND ("MuteRule"."user_id" = ?) AND ("MuteRule"."privilege" IN (?)));

-- ModerationRepository.setMuted [mysql]
UPDATE `call_members` SET `audio_muted_at` = ? WHERE `id` = ?;

-- ModerationRepository.setMuted [sqlite]
UPDATE "call_members" SET "audio_muted_at" = ? WHERE "id" = ?;

-- ModerationRepository.setRole [mysql]
UPDATE `call_members` SET `role` = ? WHERE `id` = ?;

-- ModerationRepository.setRole [sqlite]
UPDATE "call_members" SET "role" = ? WHERE "id" = ?;

-- ModerationRepository.setStatus [mysql]
UPDATE `calls` SET `status` = ? WHERE `id` = ? AND `status` <> 'ended';

-- ModerationRepository.setStatus [sqlite]
UPDATE "calls" SET "status" = ? WHERE "id" = ? AND "status" <> 'ended';

-- ModerationRepository.tookPart [mysql]
SELECT 1 AS `row_exists` FROM (SELECT 1 AS dummy_column) `dummy_table` WHERE EXISTS (SELECT 1 FROM `call_sessions` `CallSession` WHERE ((`CallSession`.`call_id` = ?) AND (`CallSession`.`user_id` = ?))) LIMIT 1;

-- ModerationRepository.tookPart [sqlite]
SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "call_sessions" "CallSession" WHERE (("CallSession"."call_id" = ?) AND ("CallSession"."user_id" = ?))) LIMIT 1;

-- ModerationRepository.updateCall [mysql]
UPDATE `calls` SET `title` = ?, `max_participants` = ? WHERE `id` = ?;

-- ModerationRepository.updateCall [sqlite]
UPDATE "calls" SET "title" = ?, "max_participants" = ? WHERE "id" = ?;
