-- The SQL every method of PreferencesRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- PreferencesRepository.deletePreferences [mysql]
DELETE FROM `call_preferences` WHERE `user_id` = ?;

-- PreferencesRepository.deletePreferences [sqlite]
DELETE FROM "call_preferences" WHERE "user_id" = ?;

-- PreferencesRepository.findPreferences [mysql]
SELECT `CallPreference`.`user_id` AS `CallPreference_user_id`, `CallPreference`.`voice_masking_enabled` AS `CallPreference_voice_masking_enabled`, `CallPreference`.`video_masking_enabled` AS `CallPreference_video_masking_enabled`, `CallPreference`.`auto_mute_on_join` AS `CallPreference_auto_mute_on_join`, `CallPreference`.`video_quality` AS `CallPreference_video_quality`, `CallPreference`.`preferred_avatar` AS `CallPreference_preferred_avatar`, `CallPreference`.`recording_consent` AS `CallPreference_recording_consent`, `CallPreference`.`created_at` AS `CallPreference_created_at`, `CallPreference`.`updated_at` AS `CallPreference_updated_at` FROM `call_preferences` `CallPreference` WHERE ((`CallPreference`.`user_id` = ?)) LIMIT 1;

-- PreferencesRepository.findPreferences [sqlite]
SELECT "CallPreference"."user_id" AS "CallPreference_user_id", "CallPreference"."voice_masking_enabled" AS "CallPreference_voice_masking_enabled", "CallPreference"."video_masking_enabled" AS "CallPreference_video_masking_enabled", "CallPreference"."auto_mute_on_join" AS "CallPreference_auto_mute_on_join", "CallPreference"."video_quality" AS "CallPreference_video_quality", "CallPreference"."preferred_avatar" AS "CallPreference_preferred_avatar", "CallPreference"."recording_consent" AS "CallPreference_recording_consent", "CallPreference"."created_at" AS "CallPreference_created_at", "CallPreference"."updated_at" AS "CallPreference_updated_at" FROM "call_preferences" "CallPreference" WHERE (("CallPreference"."user_id" = ?)) LIMIT 1;

-- PreferencesRepository.hasPreferences [mysql]
SELECT 1 AS `row_exists` FROM (SELECT 1 AS dummy_column) `dummy_table` WHERE EXISTS (SELECT 1 FROM `call_preferences` `CallPreference` WHERE ((`CallPreference`.`user_id` = ?))) LIMIT 1;

-- PreferencesRepository.hasPreferences [sqlite]
SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "call_preferences" "CallPreference" WHERE (("CallPreference"."user_id" = ?))) LIMIT 1;

-- PreferencesRepository.insertPreferences [mysql]
INSERT INTO `call_preferences`(`user_id`, `voice_masking_enabled`, `video_masking_enabled`, `auto_mute_on_join`, `video_quality`, `preferred_avatar`, `recording_consent`, `created_at`, `updated_at`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
SELECT `CallPreference`.`user_id` AS `CallPreference_user_id`, `CallPreference`.`voice_masking_enabled` AS `CallPreference_voice_masking_enabled`, `CallPreference`.`video_masking_enabled` AS `CallPreference_video_masking_enabled`, `CallPreference`.`auto_mute_on_join` AS `CallPreference_auto_mute_on_join`, `CallPreference`.`video_quality` AS `CallPreference_video_quality`, `CallPreference`.`recording_consent` AS `CallPreference_recording_consent` FROM `call_preferences` `CallPreference` WHERE `CallPreference`.`user_id` = ?;

-- PreferencesRepository.insertPreferences [sqlite]
INSERT INTO "call_preferences"("user_id", "voice_masking_enabled", "video_masking_enabled", "auto_mute_on_join", "video_quality", "preferred_avatar", "recording_consent", "created_at", "updated_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
SELECT "CallPreference"."user_id" AS "CallPreference_user_id", "CallPreference"."voice_masking_enabled" AS "CallPreference_voice_masking_enabled", "CallPreference"."video_masking_enabled" AS "CallPreference_video_masking_enabled", "CallPreference"."auto_mute_on_join" AS "CallPreference_auto_mute_on_join", "CallPreference"."video_quality" AS "CallPreference_video_quality", "CallPreference"."recording_consent" AS "CallPreference_recording_consent" FROM "call_preferences" "CallPreference" WHERE "CallPreference"."user_id" = ?;

-- PreferencesRepository.updatePreferences [mysql]
UPDATE `call_preferences` SET `auto_mute_on_join` = ?, `updated_at` = ? WHERE `user_id` = ?;

-- PreferencesRepository.updatePreferences [sqlite]
UPDATE "call_preferences" SET "auto_mute_on_join" = ?, "updated_at" = ? WHERE "user_id" = ?;
