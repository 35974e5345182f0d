-- The SQL every method of RecordingsRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- RecordingsRepository.claimRecording [mysql]
UPDATE `calls` SET `recording_id` = ? WHERE `id` = ? AND `recording_id` IS NULL AND `status` <> 'ended';

-- RecordingsRepository.claimRecording [sqlite]
UPDATE "calls" SET "recording_id" = ? WHERE "id" = ? AND "recording_id" IS NULL AND "status" <> 'ended';

-- RecordingsRepository.consentingUids [mysql]
SELECT DISTINCT b.uid AS uid FROM call_sessions s JOIN call_preferences p ON p.user_id = s.user_id AND p.recording_consent = 1 JOIN call_uid_bindings b ON b.call_id = s.call_id AND b.user_id = s.user_id WHERE s.call_id = ? AND s.open = 1 ORDER BY b.uid;

-- RecordingsRepository.consentingUids [sqlite]
SELECT DISTINCT b.uid AS uid FROM call_sessions s JOIN call_preferences p ON p.user_id = s.user_id AND p.recording_consent = 1 JOIN call_uid_bindings b ON b.call_id = s.call_id AND b.user_id = s.user_id WHERE s.call_id = ? AND s.open = 1 ORDER BY b.uid;

-- RecordingsRepository.deleteFinished [mysql]
DELETE FROM `call_recordings` WHERE `id` IN (?) AND `status` IN (?, …);

-- RecordingsRepository.deleteFinished [sqlite]
DELETE FROM "call_recordings" WHERE "id" IN (?) AND "status" IN (?, …);

-- RecordingsRepository.deleteStarting [mysql]
DELETE FROM `call_recordings` WHERE `id` = ? AND `status` = 'starting';

-- RecordingsRepository.deleteStarting [sqlite]
DELETE FROM "call_recordings" WHERE "id" = ? AND "status" = 'starting';

-- RecordingsRepository.expired [mysql]
SELECT `r`.`id` AS `r_id`, `r`.`call_id` AS `r_call_id`, `r`.`channel_name` AS `r_channel_name`, `r`.`mode` AS `r_mode`, `r`.`status` AS `r_status`, `r`.`started_by` AS `r_started_by`, `r`.`uid` AS `r_uid`, `r`.`resource_id` AS `r_resource_id`, `r`.`sid` AS `r_sid`, `r`.`subscribed_uids` AS `r_subscribed_uids`, `r`.`files` AS `r_files`, `r`.`failure` AS `r_failure`, `r`.`created_at` AS `r_created_at`, `r`.`started_at` AS `r_started_at`, `r`.`stopped_at` AS `r_stopped_at`, `r`.`purge_attempts` AS `r_purge_attempts` FROM `call_recordings` `r` WHERE `r`.`status` IN (?, …) AND `r`.`stopped_at` < ? AND `r`.`id` > ? ORDER BY `r`.`id` ASC LIMIT 500;

-- RecordingsRepository.expired [sqlite]
SELECT "r"."id" AS "r_id", "r"."call_id" AS "r_call_id", "r"."channel_name" AS "r_channel_name", "r"."mode" AS "r_mode", "r"."status" AS "r_status", "r"."started_by" AS "r_started_by", "r"."uid" AS "r_uid", "r"."resource_id" AS "r_resource_id", "r"."sid" AS "r_sid", "r"."subscribed_uids" AS "r_subscribed_uids", "r"."files" AS "r_files", "r"."failure" AS "r_failure", "r"."created_at" AS "r_created_at", "r"."started_at" AS "r_started_at", "r"."stopped_at" AS "r_stopped_at", "r"."purge_attempts" AS "r_purge_attempts" FROM "call_recordings" "r" WHERE "r"."status" IN (?, …) AND "r"."stopped_at" < ? AND "r"."id" > ? ORDER BY "r"."id" ASC LIMIT 500;

-- RecordingsRepository.find [mysql]
SELECT `Recording`.`id` AS `Recording_id`, `Recording`.`call_id` AS `Recording_call_id`, `Recording`.`channel_name` AS `Recording_channel_name`, `Recording`.`mode` AS `Recording_mode`, `Recording`.`status` AS `Recording_status`, `Recording`.`started_by` AS `Recording_started_by`, `Recording`.`uid` AS `Recording_uid`, `Recording`.`resource_id` AS `Recording_resource_id`, `Recording`.`sid` AS `Recording_sid`, `Recording`.`subscribed_uids` AS `Recording_subscribed_uids`, `Recording`.`files` AS `Recording_files`, `Recording`.`failure` AS `Recording_failure`, `Recording`.`created_at` AS `Recording_created_at`, `Recording`.`started_at` AS `Recording_started_at`, `Recording`.`stopped_at` AS `Recording_stopped_at`, `Recording`.`purge_attempts` AS `Recording_purge_attempts` FROM `call_recordings` `Recording` WHERE ((`Recording`.`id` = ?)) LIMIT 1;

-- RecordingsRepository.find [sqlite]
SELECT "Recording"."id" AS "Recording_id", "Recording"."call_id" AS "Recording_call_id", "Recording"."channel_name" AS "Recording_channel_name", "Recording"."mode" AS "Recording_mode", "Recording"."status" AS "Recording_status", "Recording"."started_by" AS "Recording_started_by", "Recording"."uid" AS "Recording_uid", "Recording"."resource_id" AS "Recording_resource_id", "Recording"."sid" AS "Recording_sid", "Recording"."subscribed_uids" AS "Recording_subscribed_uids", "Recording"."files" AS "Recording_files", "Recording"."failure" AS "Recording_failure", "Recording"."created_at" AS "Recording_created_at", "Recording"."started_at" AS "Recording_started_at", "Recording"."stopped_at" AS "Recording_stopped_at", "Recording"."purge_attempts" AS "Recording_purge_attempts" FROM "call_recordings" "Recording" WHERE (("Recording"."id" = ?)) LIMIT 1;

-- RecordingsRepository.findBySid [mysql]
SELECT `Recording`.`id` AS `Recording_id`, `Recording`.`call_id` AS `Recording_call_id`, `Recording`.`channel_name` AS `Recording_channel_name`, `Recording`.`mode` AS `Recording_mode`, `Recording`.`status` AS `Recording_status`, `Recording`.`started_by` AS `Recording_started_by`, `Recording`.`uid` AS `Recording_uid`, `Recording`.`resource_id` AS `Recording_resource_id`, `Recording`.`sid` AS `Recording_sid`, `Recording`.`subscribed_uids` AS `Recording_subscribed_uids`, `Recording`.`files` AS `Recording_files`, `Recording`.`failure` AS `Recording_failure`, `Recording`.`created_at` AS `Recording_created_at`, `Recording`.`started_at` AS `Recording_started_at`, `Recording`.`stopped_at` AS `Recording_stopped_at`, `Recording`.`purge_attempts` AS `Recording_purge_attempts` FROM `call_recordings` `Recording` WHERE ((`Recording`.`sid` = ?)) LIMIT 1;

-- RecordingsRepository.findBySid [sqlite]
SELECT "Recording"."id" AS "Recording_id", "Recording"."call_id" AS "Recording_call_id", "Recording"."channel_name" AS "Recording_channel_name", "Recording"."mode" AS "Recording_mode", "Recording"."status" AS "Recording_status", "Recording"."started_by" AS "Recording_started_by", "Recording"."uid" AS "Recording_uid", "Recording"."resource_id" AS "Recording_resource_id", "Recording"."sid" AS "Recording_sid", "Recording"."subscribed_uids" AS "Recording_subscribed_uids", "Recording"."files" AS "Recording_files", "Recording"."failure" AS "Recording_failure", "Recording"."created_at" AS "Recording_created_at", "Recording"."started_at" AS "Recording_started_at", "Recording"."stopped_at" AS "Recording_stopped_at", "Recording"."purge_attempts" AS "Recording_purge_attempts" FROM "call_recordings" "Recording" WHERE (("Recording"."sid" = ?)) LIMIT 1;

-- RecordingsRepository.findInCall [mysql]
SELECT `Recording`.`id` AS `Recording_id`, `Recording`.`call_id` AS `Recording_call_id`, `Recording`.`channel_name` AS `Recording_channel_name`, `Recording`.`mode` AS `Recording_mode`, `Recording`.`status` AS `Recording_status`, `Recording`.`started_by` AS `Recording_started_by`, `Recording`.`uid` AS `Recording_uid`, `Recording`.`resource_id` AS `Recording_resource_id`, `Recording`.`sid` AS `Recording_sid`, `Recording`.`subscribed_uids` AS `Recording_subscribed_uids`, `Recording`.`files` AS `Recording_files`, `Recording`.`failure` AS `Recording_failure`, `Recording`.`created_at` AS `Recording_created_at`, `Recording`.`started_at` AS `Recording_started_at`, `Recording`.`stopped_at` AS `Recording_stopped_at`, `Recording`.`purge_attempts` AS `Recording_purge_attempts` FROM `call_recordings` `Recording` WHERE ((`Recording`.`id` = ?) AND (`Recording`.`call_id` = ?)) LIMIT 1;

-- RecordingsRepository.findInCall [sqlite]
SELECT "Recording"."id" AS "Recording_id", "Recording"."call_id" AS "Recording_call_id", "Recording"."channel_name" AS "Recording_channel_name", "Recording"."mode" AS "Recording_mode", "Recording"."status" AS "Recording_status", "Recording"."started_by" AS "Recording_started_by", "Recording"."uid" AS "Recording_uid", "Recording"."resource_id" AS "Recording_resource_id", "Recording"."sid" AS "Recording_sid", "Recording"."subscribed_uids" AS "Recording_subscribed_uids", "Recording"."files" AS "Recording_files", "Recording"."failure" AS "Recording_failure", "Recording"."created_at" AS "Recording_created_at", "Recording"."started_at" AS "Recording_started_at", "Recording"."stopped_at" AS "Recording_stopped_at", "Recording"."purge_attempts" AS "Recording_purge_attempts" FROM "call_recordings" "Recording" WHERE (("Recording"."id" = ?) AND ("Recording"."call_id" = ?)) LIMIT 1;

-- RecordingsRepository.insertStarting [mysql]
INSERT INTO `call_recordings`(`id`, `call_id`, `channel_name`, `mode`, `status`, `started_by`, `uid`, `resource_id`, `sid`, `subscribed_uids`, `files`, `failure`, `created_at`, `started_at`, `stopped_at`, `purge_attempts`) VALUES (DEFAULT, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- RecordingsRepository.insertStarting [sqlite]
INSERT INTO "call_recordings"("id", "call_id", "channel_name", "mode", "status", "started_by", "uid", "resource_id", "sid", "subscribed_uids", "files", "failure", "created_at", "started_at", "stopped_at", "purge_attempts") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- RecordingsRepository.inState [mysql]
SELECT `r`.`id` AS `r_id`, `r`.`call_id` AS `r_call_id`, `r`.`channel_name` AS `r_channel_name`, `r`.`mode` AS `r_mode`, `r`.`status` AS `r_status`, `r`.`started_by` AS `r_started_by`, `r`.`uid` AS `r_uid`, `r`.`resource_id` AS `r_resource_id`, `r`.`sid` AS `r_sid`, `r`.`subscribed_uids` AS `r_subscribed_uids`, `r`.`files` AS `r_files`, `r`.`failure` AS `r_failure`, `r`.`created_at` AS `r_created_at`, `r`.`started_at` AS `r_started_at`, `r`.`stopped_at` AS `r_stopped_at`, `r`.`purge_attempts` AS `r_purge_attempts` FROM `call_recordings` `r` WHERE `r`.`status` = ? AND `r`.`id` > ? ORDER BY `r`.`id` ASC LIMIT 200;

-- RecordingsRepository.inState [sqlite]
SELECT "r"."id" AS "r_id", "r"."call_id" AS "r_call_id", "r"."channel_name" AS "r_channel_name", "r"."mode" AS "r_mode", "r"."status" AS "r_status", "r"."started_by" AS "r_started_by", "r"."uid" AS "r_uid", "r"."resource_id" AS "r_resource_id", "r"."sid" AS "r_sid", "r"."subscribed_uids" AS "r_subscribed_uids", "r"."files" AS "r_files", "r"."failure" AS "r_failure", "r"."created_at" AS "r_created_at", "r"."started_at" AS "r_started_at", "r"."stopped_at" AS "r_stopped_at", "r"."purge_attempts" AS "r_purge_attempts" FROM "call_recordings" "r" WHERE "r"."status" = ? AND "r"."id" > ? ORDER BY "r"."id" ASC LIMIT 200;

-- RecordingsRepository.inState:_before [mysql]
SELECT `r`.`id` AS `r_id`, `r`.`call_id` AS `r_call_id`, `r`.`channel_name` AS `r_channel_name`, `r`.`mode` AS `r_mode`, `r`.`status` AS `r_status`, `r`.`started_by` AS `r_started_by`, `r`.`uid` AS `r_uid`, `r`.`resource_id` AS `r_resource_id`, `r`.`sid` AS `r_sid`, `r`.`subscribed_uids` AS `r_subscribed_uids`, `r`.`files` AS `r_files`, `r`.`failure` AS `r_failure`, `r`.`created_at` AS `r_created_at`, `r`.`started_at` AS `r_started_at`, `r`.`stopped_at` AS `r_stopped_at`, `r`.`purge_attempts` AS `r_purge_attempts` FROM `call_recordings` `r` WHERE `r`.`status` = ? AND `r`.`id` > ? AND `r`.`created_at` < ? ORDER BY `r`.`id` ASC LIMIT 200;

-- RecordingsRepository.inState:_before [sqlite]
SELECT "r"."id" AS "r_id", "r"."call_id" AS "r_call_id", "r"."channel_name" AS "r_channel_name", "r"."mode" AS "r_mode", "r"."status" AS "r_status", "r"."started_by" AS "r_started_by", "r"."uid" AS "r_uid", "r"."resource_id" AS "r_resource_id", "r"."sid" AS "r_sid", "r"."subscribed_uids" AS "r_subscribed_uids", "r"."files" AS "r_files", "r"."failure" AS "r_failure", "r"."created_at" AS "r_created_at", "r"."started_at" AS "r_started_at", "r"."stopped_at" AS "r_stopped_at", "r"."purge_attempts" AS "r_purge_attempts" FROM "call_recordings" "r" WHERE "r"."status" = ? AND "r"."id" > ? AND "r"."created_at" < ? ORDER BY "r"."id" ASC LIMIT 200;

-- RecordingsRepository.moveStarter [mysql]
SELECT `Recording`.`id` AS `Recording_id` FROM `call_recordings` `Recording` WHERE ((`Recording`.`started_by` = ?));
UPDATE `call_recordings` SET `started_by` = ? WHERE (`id` IN (?) AND `started_by` = ?);

-- RecordingsRepository.moveStarter [sqlite]
SELECT "Recording"."id" AS "Recording_id" FROM "call_recordings" "Recording" WHERE (("Recording"."started_by" = ?));
UPDATE "call_recordings" SET "started_by" = ? WHERE ("id" IN (?) AND "started_by" = ?);

-- RecordingsRepository.notePurgeFailed [mysql]
UPDATE `call_recordings` SET `purge_attempts` = `purge_attempts` + 1 WHERE `id` IN (?);

-- RecordingsRepository.notePurgeFailed [sqlite]
UPDATE "call_recordings" SET "purge_attempts" = "purge_attempts" + 1 WHERE "id" IN (?);

-- RecordingsRepository.ofCall [mysql]
SELECT `Recording`.`id` AS `Recording_id`, `Recording`.`call_id` AS `Recording_call_id`, `Recording`.`channel_name` AS `Recording_channel_name`, `Recording`.`mode` AS `Recording_mode`, `Recording`.`status` AS `Recording_status`, `Recording`.`started_by` AS `Recording_started_by`, `Recording`.`uid` AS `Recording_uid`, `Recording`.`resource_id` AS `Recording_resource_id`, `Recording`.`sid` AS `Recording_sid`, `Recording`.`subscribed_uids` AS `Recording_subscribed_uids`, `Recording`.`files` AS `Recording_files`, `Recording`.`failure` AS `Recording_failure`, `Recording`.`created_at` AS `Recording_created_at`, `Recording`.`started_at` AS `Recording_started_at`, `Recording`.`stopped_at` AS `Recording_stopped_at`, `Recording`.`purge_attempts` AS `Recording_purge_attempts` FROM `call_recordings` `Recording` WHERE ((`Recording`.`call_id` = ?)) ORDER BY `Recording`.`created_at` DESC, `Recording`.`id` DESC;

-- RecordingsRepository.ofCall [sqlite]
SELECT "Recording"."id" AS "Recording_id", "Recording"."call_id" AS "Recording_call_id", "Recording"."channel_name" AS "Recording_channel_name", "Recording"."mode" AS "Recording_mode", "Recording"."status" AS "Recording_status", "Recording"."started_by" AS "Recording_started_by", "Recording"."uid" AS "Recording_uid", "Recording"."resource_id" AS "Recording_resource_id", "Recording"."sid" AS "Recording_sid", "Recording"."subscribed_uids" AS "Recording_subscribed_uids", "Recording"."files" AS "Recording_files", "Recording"."failure" AS "Recording_failure", "Recording"."created_at" AS "Recording_created_at", "Recording"."started_at" AS "Recording_started_at", "Recording"."stopped_at" AS "Recording_stopped_at", "Recording"."purge_attempts" AS "Recording_purge_attempts" FROM "call_recordings" "Recording" WHERE (("Recording"."call_id" = ?)) ORDER BY "Recording"."created_at" DESC, "Recording"."id" DESC;

-- RecordingsRepository.page [mysql]
SELECT `r`.`id` AS `r_id`, `r`.`call_id` AS `r_call_id`, `r`.`channel_name` AS `r_channel_name`, `r`.`mode` AS `r_mode`, `r`.`status` AS `r_status`, `r`.`started_by` AS `r_started_by`, `r`.`uid` AS `r_uid`, `r`.`resource_id` AS `r_resource_id`, `r`.`sid` AS `r_sid`, `r`.`subscribed_uids` AS `r_subscribed_uids`, `r`.`files` AS `r_files`, `r`.`failure` AS `r_failure`, `r`.`created_at` AS `r_created_at`, `r`.`started_at` AS `r_started_at`, `r`.`stopped_at` AS `r_stopped_at`, `r`.`purge_attempts` AS `r_purge_attempts` FROM `call_recordings` `r` WHERE `r`.`created_at` >= ? AND `r`.`created_at` < ? AND (`r`.`created_at` < ? OR (`r`.`created_at` = ? AND `r`.`id` < ?)) ORDER BY `r`.`created_at` DESC, `r`.`id` DESC LIMIT 51;

-- RecordingsRepository.page [sqlite]
SELECT "r"."id" AS "r_id", "r"."call_id" AS "r_call_id", "r"."channel_name" AS "r_channel_name", "r"."mode" AS "r_mode", "r"."status" AS "r_status", "r"."started_by" AS "r_started_by", "r"."uid" AS "r_uid", "r"."resource_id" AS "r_resource_id", "r"."sid" AS "r_sid", "r"."subscribed_uids" AS "r_subscribed_uids", "r"."files" AS "r_files", "r"."failure" AS "r_failure", "r"."created_at" AS "r_created_at", "r"."started_at" AS "r_started_at", "r"."stopped_at" AS "r_stopped_at", "r"."purge_attempts" AS "r_purge_attempts" FROM "call_recordings" "r" WHERE "r"."created_at" >= ? AND "r"."created_at" < ? AND ("r"."created_at" < ? OR ("r"."created_at" = ? AND "r"."id" < ?)) ORDER BY "r"."created_at" DESC, "r"."id" DESC LIMIT 51;

-- RecordingsRepository.recordingStateOf [mysql]
SELECT `Call`.`id` AS `Call_id`, `Call`.`status` AS `Call_status`, `Call`.`recording_id` AS `Call_recording_id`, `Call`.`channel_name` AS `Call_channel_name` FROM `calls` `Call` WHERE ((`Call`.`id` = ?)) LIMIT 1;

-- RecordingsRepository.recordingStateOf [sqlite]
SELECT "Call"."id" AS "Call_id", "Call"."status" AS "Call_status", "Call"."recording_id" AS "Call_recording_id", "Call"."channel_name" AS "Call_channel_name" FROM "calls" "Call" WHERE (("Call"."id" = ?)) LIMIT 1;

-- RecordingsRepository.releaseRecording [mysql]
UPDATE `calls` SET `recording_id` = ? WHERE `id` = ? AND `recording_id` = ?;

-- RecordingsRepository.releaseRecording [sqlite]
UPDATE "calls" SET "recording_id" = ? WHERE "id" = ? AND "recording_id" = ?;

-- RecordingsRepository.runningRecordingsOf [mysql]
SELECT c.id AS call_id, c.recording_id AS recording_id FROM call_sessions s JOIN calls c ON c.id = s.call_id WHERE s.user_id = ? AND s.open = 1 AND c.recording_id IS NOT NULL;

-- RecordingsRepository.runningRecordingsOf [sqlite]
SELECT c.id AS call_id, c.recording_id AS recording_id FROM call_sessions s JOIN calls c ON c.id = s.call_id WHERE s.user_id = ? AND s.open = 1 AND c.recording_id IS NOT NULL;

-- RecordingsRepository.setSubscribed [mysql]
UPDATE `call_recordings` SET `subscribed_uids` = ? WHERE (`id` = ? AND `status` = ?);

-- RecordingsRepository.setSubscribed [sqlite]
UPDATE "call_recordings" SET "subscribed_uids" = ? WHERE ("id" = ? AND "status" = ?);

-- RecordingsRepository.transition [mysql]
UPDATE `call_recordings` SET `stopped_at` = ?, `status` = ? WHERE `id` = ? AND `status` IN (?, …);

-- RecordingsRepository.transition [sqlite]
UPDATE "call_recordings" SET "stopped_at" = ?, "status" = ? WHERE "id" = ? AND "status" IN (?, …);
