-- The SQL every method of CallsRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- CallsRepository.addMembers [mysql]
INSERT IGNORE INTO `call_members`(`id`, `call_id`, `user_id`, `role`, `created_at`, `removed_at`, `audio_muted_at`, `video_muted_at`, `speaker_at`, `demoted_at`, `hand_raised_at`, `hand_session_id`) VALUES (DEFAULT, ?, ?, ?, ?, ?, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT), (DEFAULT, ?, ?, ?, ?, ?, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT, DEFAULT);

-- CallsRepository.addMembers [sqlite]
INSERT INTO "call_members"("id", "call_id", "user_id", "role", "created_at", "removed_at", "audio_muted_at", "video_muted_at", "speaker_at", "demoted_at", "hand_raised_at", "hand_session_id") VALUES (NULL, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL), (NULL, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL) ON CONFLICT DO NOTHING;

-- CallsRepository.callExists [mysql]
SELECT 1 AS `row_exists` FROM (SELECT 1 AS dummy_column) `dummy_table` WHERE EXISTS (SELECT 1 FROM `calls` `Call` WHERE ((`Call`.`id` = ?))) LIMIT 1;

-- CallsRepository.callExists [sqlite]
SELECT 1 AS "row_exists" FROM (SELECT 1 AS dummy_column) "dummy_table" WHERE EXISTS (SELECT 1 FROM "calls" "Call" WHERE (("Call"."id" = ?))) LIMIT 1;

-- CallsRepository.callsOfMember:_all,_by_status [mysql]
SELECT `call`.`id` AS `call_id`, `call`.`title` AS `call_title`, `call`.`description` AS `call_description`, `call`.`channel_name` AS `call_channel_name`, `call`.`creator_id` AS `call_creator_id`, `call`.`is_public` AS `call_is_public`, `call`.`max_participants` AS `call_max_participants`, `call`.`status` AS `call_status`, `call`.`active_participants` AS `call_active_participants`, `call`.`peak_participants` AS `call_peak_participants`, `call`.`created_at` AS `call_created_at`, `call`.`ended_at` AS `call_ended_at`, `call`.`ended_by` AS `call_ended_by`, `call`.`analytics_state` AS `call_analytics_state`, `call`.`recording_id` AS `call_recording_id`, `call`.`starts_at` AS `call_starts_at`, `call`.`ends_at` AS `call_ends_at`, `call`.`starting_soon_sent_for` AS `call_starting_soon_sent_for`, `call`.`ending_soon_sent_for` AS `call_ending_soon_sent_for`, `call`.`lobby` AS `call_lobby`, `call`.`wait_for_host` AS `call_wait_for_host`, `call`.`mode` AS `call_mode`, `call`.`max_speakers` AS `call_max_speakers`, `call`.`speaker_count` AS `call_speaker_count`, `call`.`encryption` AS `call_encryption`, `member`.`role` AS `member_role`, `member`.`id` AS `member_id` FROM `calls` `call` LEFT JOIN `call_members` `member` ON `member`.`call_id` = `call`.`id` AND `member`.`user_id` = ? WHERE (`member`.`id` IS NOT NULL OR (`call`.`is_public` = 1 AND `call`.`status` IN ('active', 'paused'))) AND `call`.`status` = ? ORDER BY `call`.`created_at` DESC, `call`.`id` DESC LIMIT 20;

-- CallsRepository.callsOfMember:_all,_by_status [sqlite]
SELECT "call"."id" AS "call_id", "call"."title" AS "call_title", "call"."description" AS "call_description", "call"."channel_name" AS "call_channel_name", "call"."creator_id" AS "call_creator_id", "call"."is_public" AS "call_is_public", "call"."max_participants" AS "call_max_participants", "call"."status" AS "call_status", "call"."active_participants" AS "call_active_participants", "call"."peak_participants" AS "call_peak_participants", "call"."created_at" AS "call_created_at", "call"."ended_at" AS "call_ended_at", "call"."ended_by" AS "call_ended_by", "call"."analytics_state" AS "call_analytics_state", "call"."recording_id" AS "call_recording_id", "call"."starts_at" AS "call_starts_at", "call"."ends_at" AS "call_ends_at", "call"."starting_soon_sent_for" AS "call_starting_soon_sent_for", "call"."ending_soon_sent_for" AS "call_ending_soon_sent_for", "call"."lobby" AS "call_lobby", "call"."wait_for_host" AS "call_wait_for_host", "call"."mode" AS "call_mode", "call"."max_speakers" AS "call_max_speakers", "call"."speaker_count" AS "call_speaker_count", "call"."encryption" AS "call_encryption", "member"."role" AS "member_role", "member"."id" AS "member_id" FROM "calls" "call" LEFT JOIN "call_members" "member" ON "member"."call_id" = "call"."id" AND "member"."user_id" = ? WHERE ("member"."id" IS NOT NULL OR ("call"."is_public" = 1 AND "call"."status" IN ('active', 'paused'))) AND "call"."status" = ? ORDER BY "call"."created_at" DESC, "call"."id" DESC LIMIT 20;

-- CallsRepository.callsOfMember:_mine [mysql]
SELECT `call`.`id` AS `call_id`, `call`.`title` AS `call_title`, `call`.`description` AS `call_description`, `call`.`channel_name` AS `call_channel_name`, `call`.`creator_id` AS `call_creator_id`, `call`.`is_public` AS `call_is_public`, `call`.`max_participants` AS `call_max_participants`, `call`.`status` AS `call_status`, `call`.`active_participants` AS `call_active_participants`, `call`.`peak_participants` AS `call_peak_participants`, `call`.`created_at` AS `call_created_at`, `call`.`ended_at` AS `call_ended_at`, `call`.`ended_by` AS `call_ended_by`, `call`.`analytics_state` AS `call_analytics_state`, `call`.`recording_id` AS `call_recording_id`, `call`.`starts_at` AS `call_starts_at`, `call`.`ends_at` AS `call_ends_at`, `call`.`starting_soon_sent_for` AS `call_starting_soon_sent_for`, `call`.`ending_soon_sent_for` AS `call_ending_soon_sent_for`, `call`.`lobby` AS `call_lobby`, `call`.`wait_for_host` AS `call_wait_for_host`, `call`.`mode` AS `call_mode`, `call`.`max_speakers` AS `call_max_speakers`, `call`.`speaker_count` AS `call_speaker_count`, `call`.`encryption` AS `call_encryption`, `member`.`role` AS `member_role`, `member`.`id` AS `member_id` FROM `calls` `call` INNER JOIN `call_members` `member` ON `member`.`call_id` = `call`.`id` AND `member`.`user_id` = ? ORDER BY `call`.`created_at` DESC, `call`.`id` DESC LIMIT 20;

-- CallsRepository.callsOfMember:_mine [sqlite]
SELECT "call"."id" AS "call_id", "call"."title" AS "call_title", "call"."description" AS "call_description", "call"."channel_name" AS "call_channel_name", "call"."creator_id" AS "call_creator_id", "call"."is_public" AS "call_is_public", "call"."max_participants" AS "call_max_participants", "call"."status" AS "call_status", "call"."active_participants" AS "call_active_participants", "call"."peak_participants" AS "call_peak_participants", "call"."created_at" AS "call_created_at", "call"."ended_at" AS "call_ended_at", "call"."ended_by" AS "call_ended_by", "call"."analytics_state" AS "call_analytics_state", "call"."recording_id" AS "call_recording_id", "call"."starts_at" AS "call_starts_at", "call"."ends_at" AS "call_ends_at", "call"."starting_soon_sent_for" AS "call_starting_soon_sent_for", "call"."ending_soon_sent_for" AS "call_ending_soon_sent_for", "call"."lobby" AS "call_lobby", "call"."wait_for_host" AS "call_wait_for_host", "call"."mode" AS "call_mode", "call"."max_speakers" AS "call_max_speakers", "call"."speaker_count" AS "call_speaker_count", "call"."encryption" AS "call_encryption", "member"."role" AS "member_role", "member"."id" AS "member_id" FROM "calls" "call" INNER JOIN "call_members" "member" ON "member"."call_id" = "call"."id" AND "member"."user_id" = ? ORDER BY "call"."created_at" DESC, "call"."id" DESC LIMIT 20;

-- CallsRepository.callsOfMember:_upcoming [mysql]
SELECT `call`.`id` AS `call_id`, `call`.`title` AS `call_title`, `call`.`description` AS `call_description`, `call`.`channel_name` AS `call_channel_name`, `call`.`creator_id` AS `call_creator_id`, `call`.`is_public` AS `call_is_public`, `call`.`max_participants` AS `call_max_participants`, `call`.`status` AS `call_status`, `call`.`active_participants` AS `call_active_participants`, `call`.`peak_participants` AS `call_peak_participants`, `call`.`created_at` AS `call_created_at`, `call`.`ended_at` AS `call_ended_at`, `call`.`ended_by` AS `call_ended_by`, `call`.`analytics_state` AS `call_analytics_state`, `call`.`recording_id` AS `call_recording_id`, `call`.`starts_at` AS `call_starts_at`, `call`.`ends_at` AS `call_ends_at`, `call`.`starting_soon_sent_for` AS `call_starting_soon_sent_for`, `call`.`ending_soon_sent_for` AS `call_ending_soon_sent_for`, `call`.`lobby` AS `call_lobby`, `call`.`wait_for_host` AS `call_wait_for_host`, `call`.`mode` AS `call_mode`, `call`.`max_speakers` AS `call_max_speakers`, `call`.`speaker_count` AS `call_speaker_count`, `call`.`encryption` AS `call_encryption`, `member`.`role` AS `member_role`, `member`.`id` AS `member_id` FROM `calls` `call` LEFT JOIN `call_members` `member` ON `member`.`call_id` = `call`.`id` AND `member`.`user_id` = ? WHERE (`member`.`id` IS NOT NULL OR (`call`.`is_public` = 1 AND `call`.`status` IN ('active', 'paused'))) AND `call`.`starts_at` > ? AND `call`.`status` IN ('active', 'paused') ORDER BY `call`.`starts_at` ASC, `call`.`id` ASC LIMIT 20;

-- CallsRepository.callsOfMember:_upcoming [sqlite]
SELECT "call"."id" AS "call_id", "call"."title" AS "call_title", "call"."description" AS "call_description", "call"."channel_name" AS "call_channel_name", "call"."creator_id" AS "call_creator_id", "call"."is_public" AS "call_is_public", "call"."max_participants" AS "call_max_participants", "call"."status" AS "call_status", "call"."active_participants" AS "call_active_participants", "call"."peak_participants" AS "call_peak_participants", "call"."created_at" AS "call_created_at", "call"."ended_at" AS "call_ended_at", "call"."ended_by" AS "call_ended_by", "call"."analytics_state" AS "call_analytics_state", "call"."recording_id" AS "call_recording_id", "call"."starts_at" AS "call_starts_at", "call"."ends_at" AS "call_ends_at", "call"."starting_soon_sent_for" AS "call_starting_soon_sent_for", "call"."ending_soon_sent_for" AS "call_ending_soon_sent_for", "call"."lobby" AS "call_lobby", "call"."wait_for_host" AS "call_wait_for_host", "call"."mode" AS "call_mode", "call"."max_speakers" AS "call_max_speakers", "call"."speaker_count" AS "call_speaker_count", "call"."encryption" AS "call_encryption", "member"."role" AS "member_role", "member"."id" AS "member_id" FROM "calls" "call" LEFT JOIN "call_members" "member" ON "member"."call_id" = "call"."id" AND "member"."user_id" = ? WHERE ("member"."id" IS NOT NULL OR ("call"."is_public" = 1 AND "call"."status" IN ('active', 'paused'))) AND "call"."starts_at" > ? AND "call"."status" IN ('active', 'paused') ORDER BY "call"."starts_at" ASC, "call"."id" ASC LIMIT 20;

-- CallsRepository.channelNameOf [mysql]
SELECT `Call`.`id` AS `Call_id`, `Call`.`channel_name` AS `Call_channel_name` FROM `calls` `Call` WHERE ((`Call`.`id` = ?)) LIMIT 1;

-- CallsRepository.channelNameOf [sqlite]
SELECT "Call"."id" AS "Call_id", "Call"."channel_name" AS "Call_channel_name" FROM "calls" "Call" WHERE (("Call"."id" = ?)) LIMIT 1;

-- CallsRepository.currentMembersOf [mysql]
SELECT `m`.`call_id` AS `m_call_id`, `m`.`user_id` AS `m_user_id`, `m`.`id` AS `m_id` FROM `call_members` `m` WHERE `m`.`call_id` IN (?) AND `m`.`removed_at` IS NULL;

-- CallsRepository.currentMembersOf [sqlite]
SELECT "m"."call_id" AS "m_call_id", "m"."user_id" AS "m_user_id", "m"."id" AS "m_id" FROM "call_members" "m" WHERE "m"."call_id" IN (?) AND "m"."removed_at" IS NULL;

-- CallsRepository.currentMembersOf:_among [mysql]
SELECT `m`.`call_id` AS `m_call_id`, `m`.`user_id` AS `m_user_id`, `m`.`id` AS `m_id` FROM `call_members` `m` WHERE `m`.`call_id` IN (?) AND `m`.`removed_at` IS NULL AND `m`.`user_id` IN (?);

-- CallsRepository.currentMembersOf:_among [sqlite]
SELECT "m"."call_id" AS "m_call_id", "m"."user_id" AS "m_user_id", "m"."id" AS "m_id" FROM "call_members" "m" WHERE "m"."call_id" IN (?) AND "m"."removed_at" IS NULL AND "m"."user_id" IN (?);

-- CallsRepository.currentMembersOf:_hosts_and_moderators [mysql]
SELECT `m`.`call_id` AS `m_call_id`, `m`.`user_id` AS `m_user_id`, `m`.`id` AS `m_id` FROM `call_members` `m` WHERE `m`.`call_id` IN (?) AND `m`.`removed_at` IS NULL AND `m`.`user_id` IN (?) AND `m`.`role` IN (?, …);

-- CallsRepository.currentMembersOf:_hosts_and_moderators [sqlite]
SELECT "m"."call_id" AS "m_call_id", "m"."user_id" AS "m_user_id", "m"."id" AS "m_id" FROM "call_members" "m" WHERE "m"."call_id" IN (?) AND "m"."removed_at" IS NULL AND "m"."user_id" IN (?) AND "m"."role" IN (?, …);

-- CallsRepository.findCall [mysql]
SELECT `Call`.`id` AS `Call_id`, `Call`.`title` AS `Call_title`, `Call`.`description` AS `Call_description`, `Call`.`channel_name` AS `Call_channel_name`, `Call`.`creator_id` AS `Call_creator_id`, `Call`.`is_public` AS `Call_is_public`, `Call`.`max_participants` AS `Call_max_participants`, `Call`.`status` AS `Call_status`, `Call`.`active_participants` AS `Call_active_participants`, `Call`.`peak_participants` AS `Call_peak_participants`, `Call`.`created_at` AS `Call_created_at`, `Call`.`ended_at` AS `Call_ended_at`, `Call`.`ended_by` AS `Call_ended_by`, `Call`.`analytics_state` AS `Call_analytics_state`, `Call`.`recording_id` AS `Call_recording_id`, `Call`.`starts_at` AS `Call_starts_at`, `Call`.`ends_at` AS `Call_ends_at`, `Call`.`starting_soon_sent_for` AS `Call_starting_soon_sent_for`, `Call`.`ending_soon_sent_for` AS `Call_ending_soon_sent_for`, `Call`.`lobby` AS `Call_lobby`, `Call`.`wait_for_host` AS `Call_wait_for_host`, `Call`.`mode` AS `Call_mode`, `Call`.`max_speakers` AS `Call_max_speakers`, `Call`.`speaker_count` AS `Call_speaker_count`, `Call`.`encryption` AS `Call_encryption` FROM `calls` `Call` WHERE ((`Call`.`id` = ?)) LIMIT 1;

-- CallsRepository.findCall [sqlite]
SELECT "Call"."id" AS "Call_id", "Call"."title" AS "Call_title", "Call"."description" AS "Call_description", "Call"."channel_name" AS "Call_channel_name", "Call"."creator_id" AS "Call_creator_id", "Call"."is_public" AS "Call_is_public", "Call"."max_participants" AS "Call_max_participants", "Call"."status" AS "Call_status", "Call"."active_participants" AS "Call_active_participants", "Call"."peak_participants" AS "Call_peak_participants", "Call"."created_at" AS "Call_created_at", "Call"."ended_at" AS "Call_ended_at", "Call"."ended_by" AS "Call_ended_by", "Call"."analytics_state" AS "Call_analytics_state", "Call"."recording_id" AS "Call_recording_id", "Call"."starts_at" AS "Call_starts_at", "Call"."ends_at" AS "Call_ends_at", "Call"."starting_soon_sent_for" AS "Call_starting_soon_sent_for", "Call"."ending_soon_sent_for" AS "Call_ending_soon_sent_for", "Call"."lobby" AS "Call_lobby", "Call"."wait_for_host" AS "Call_wait_for_host", "Call"."mode" AS "Call_mode", "Call"."max_speakers" AS "Call_max_speakers", "Call"."speaker_count" AS "Call_speaker_count", "Call"."encryption" AS "Call_encryption" FROM "calls" "Call" WHERE (("Call"."id" = ?)) LIMIT 1;

-- CallsRepository.findMember [mysql]
SELECT `CallMember`.`id` AS `CallMember_id`, `CallMember`.`call_id` AS `CallMember_call_id`, `CallMember`.`user_id` AS `CallMember_user_id`, `CallMember`.`role` AS `CallMember_role`, `CallMember`.`created_at` AS `CallMember_created_at`, `CallMember`.`removed_at` AS `CallMember_removed_at`, `CallMember`.`audio_muted_at` AS `CallMember_audio_muted_at`, `CallMember`.`video_muted_at` AS `CallMember_video_muted_at`, `CallMember`.`speaker_at` AS `CallMember_speaker_at`, `CallMember`.`demoted_at` AS `CallMember_demoted_at`, `CallMember`.`hand_raised_at` AS `CallMember_hand_raised_at`, `CallMember`.`hand_session_id` AS `CallMember_hand_session_id` FROM `call_members` `CallMember` WHERE ((`CallMember`.`call_id` = ?) AND (`CallMember`.`user_id` = ?)) LIMIT 1;

-- CallsRepository.findMember [sqlite]
SELECT "CallMember"."id" AS "CallMember_id", "CallMember"."call_id" AS "CallMember_call_id", "CallMember"."user_id" AS "CallMember_user_id", "CallMember"."role" AS "CallMember_role", "CallMember"."created_at" AS "CallMember_created_at", "CallMember"."removed_at" AS "CallMember_removed_at", "CallMember"."audio_muted_at" AS "CallMember_audio_muted_at", "CallMember"."video_muted_at" AS "CallMember_video_muted_at", "CallMember"."speaker_at" AS "CallMember_speaker_at", "CallMember"."demoted_at" AS "CallMember_demoted_at", "CallMember"."hand_raised_at" AS "CallMember_hand_raised_at", "CallMember"."hand_session_id" AS "CallMember_hand_session_id" FROM "call_members" "CallMember" WHERE (("CallMember"."call_id" = ?) AND ("CallMember"."user_id" = ?)) LIMIT 1;

-- CallsRepository.insertCall [mysql]
INSERT INTO `calls`(`id`, `title`, `description`, `channel_name`, `creator_id`, `is_public`, `max_participants`, `status`, `active_participants`, `peak_participants`, `created_at`, `ended_at`, `ended_by`, `analytics_state`, `recording_id`, `starts_at`, `ends_at`, `starting_soon_sent_for`, `ending_soon_sent_for`, `lobby`, `wait_for_host`, `mode`, `max_speakers`, `speaker_count`, `encryption`) VALUES (DEFAULT, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
SELECT `Call`.`id` AS `Call_id`, `Call`.`is_public` AS `Call_is_public`, `Call`.`max_participants` AS `Call_max_participants`, `Call`.`status` AS `Call_status`, `Call`.`active_participants` AS `Call_active_participants`, `Call`.`peak_participants` AS `Call_peak_participants`, `Call`.`lobby` AS `Call_lobby`, `Call`.`wait_for_host` AS `Call_wait_for_host`, `Call`.`mode` AS `Call_mode`, `Call`.`encryption` AS `Call_encryption` FROM `calls` `Call` WHERE `Call`.`id` = ?;
INSERT INTO `call_members`(`id`, `call_id`, `user_id`, `role`, `created_at`, `removed_at`, `audio_muted_at`, `video_muted_at`, `speaker_at`, `demoted_at`, `hand_raised_at`, `hand_session_id`) VALUES (DEFAULT, ?, ?, ?, ?, ?, DEFAULT, DEFAULT, ?, DEFAULT, DEFAULT, DEFAULT);

-- CallsRepository.insertCall [sqlite]
INSERT INTO "calls"("id", "title", "description", "channel_name", "creator_id", "is_public", "max_participants", "status", "active_participants", "peak_participants", "created_at", "ended_at", "ended_by", "analytics_state", "recording_id", "starts_at", "ends_at", "starting_soon_sent_for", "ending_soon_sent_for", "lobby", "wait_for_host", "mode", "max_speakers", "speaker_count", "encryption") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
SELECT "Call"."id" AS "Call_id", "Call"."is_public" AS "Call_is_public", "Call"."max_participants" AS "Call_max_participants", "Call"."status" AS "Call_status", "Call"."active_participants" AS "Call_active_participants", "Call"."peak_participants" AS "Call_peak_participants", "Call"."lobby" AS "Call_lobby", "Call"."wait_for_host" AS "Call_wait_for_host", "Call"."mode" AS "Call_mode", "Call"."encryption" AS "Call_encryption" FROM "calls" "Call" WHERE "Call"."id" = ?;
INSERT INTO "call_members"("id", "call_id", "user_id", "role", "created_at", "removed_at", "audio_muted_at", "video_muted_at", "speaker_at", "demoted_at", "hand_raised_at", "hand_session_id") VALUES (NULL, ?, ?, ?, ?, ?, NULL, NULL, ?, NULL, NULL, NULL);

-- CallsRepository.liveCounts [mysql]
SELECT `call`.`status` AS `status`, COUNT(*) AS `calls`, SUM(`call`.`active_participants`) AS `participants` FROM `calls` `call` WHERE `call`.`status` IN ('active', 'paused') GROUP BY `call`.`status`;

-- CallsRepository.liveCounts [sqlite]
SELECT "call"."status" AS "status", COUNT(*) AS "calls", SUM("call"."active_participants") AS "participants" FROM "calls" "call" WHERE "call"."status" IN ('active', 'paused') GROUP BY "call"."status";

-- CallsRepository.lockCall [mysql]
SELECT id FROM calls WHERE id = ? FOR UPDATE;

-- CallsRepository.lockCall [sqlite]
(no statement)

-- CallsRepository.lockedCall [mysql]
SELECT `call`.`id` AS `call_id`, `call`.`title` AS `call_title`, `call`.`description` AS `call_description`, `call`.`channel_name` AS `call_channel_name`, `call`.`creator_id` AS `call_creator_id`, `call`.`is_public` AS `call_is_public`, `call`.`max_participants` AS `call_max_participants`, `call`.`status` AS `call_status`, `call`.`active_participants` AS `call_active_participants`, `call`.`peak_participants` AS `call_peak_participants`, `call`.`created_at` AS `call_created_at`, `call`.`ended_at` AS `call_ended_at`, `call`.`ended_by` AS `call_ended_by`, `call`.`analytics_state` AS `call_analytics_state`, `call`.`recording_id` AS `call_recording_id`, `call`.`starts_at` AS `call_starts_at`, `call`.`ends_at` AS `call_ends_at`, `call`.`starting_soon_sent_for` AS `call_starting_soon_sent_for`, `call`.`ending_soon_sent_for` AS `call_ending_soon_sent_for`, `call`.`lobby` AS `call_lobby`, `call`.`wait_for_host` AS `call_wait_for_host`, `call`.`mode` AS `call_mode`, `call`.`max_speakers` AS `call_max_speakers`, `call`.`speaker_count` AS `call_speaker_count`, `call`.`encryption` AS `call_encryption` FROM `calls` `call` WHERE `call`.`id` = ? FOR UPDATE;

-- CallsRepository.lockedCall [sqlite]
SELECT "call"."id" AS "call_id", "call"."title" AS "call_title", "call"."description" AS "call_description", "call"."channel_name" AS "call_channel_name", "call"."creator_id" AS "call_creator_id", "call"."is_public" AS "call_is_public", "call"."max_participants" AS "call_max_participants", "call"."status" AS "call_status", "call"."active_participants" AS "call_active_participants", "call"."peak_participants" AS "call_peak_participants", "call"."created_at" AS "call_created_at", "call"."ended_at" AS "call_ended_at", "call"."ended_by" AS "call_ended_by", "call"."analytics_state" AS "call_analytics_state", "call"."recording_id" AS "call_recording_id", "call"."starts_at" AS "call_starts_at", "call"."ends_at" AS "call_ends_at", "call"."starting_soon_sent_for" AS "call_starting_soon_sent_for", "call"."ending_soon_sent_for" AS "call_ending_soon_sent_for", "call"."lobby" AS "call_lobby", "call"."wait_for_host" AS "call_wait_for_host", "call"."mode" AS "call_mode", "call"."max_speakers" AS "call_max_speakers", "call"."speaker_count" AS "call_speaker_count", "call"."encryption" AS "call_encryption" FROM "calls" "call" WHERE "call"."id" = ?;

-- CallsRepository.markEnded [mysql]
UPDATE `calls` SET `status` = ?, `ended_at` = ?, `ended_by` = ? WHERE `id` = ? AND `status` <> 'ended';

-- CallsRepository.markEnded [sqlite]
UPDATE "calls" SET "status" = ?, "ended_at" = ?, "ended_by" = ? WHERE "id" = ? AND "status" <> 'ended';

-- CallsRepository.markEnded:_only_if_empty [mysql]
UPDATE `calls` SET `status` = ?, `ended_at` = ?, `ended_by` = ? WHERE `id` = ? AND `status` <> 'ended' AND `active_participants` = 0;

-- CallsRepository.markEnded:_only_if_empty [sqlite]
UPDATE "calls" SET "status" = ?, "ended_at" = ?, "ended_by" = ? WHERE "id" = ? AND "status" <> 'ended' AND "active_participants" = 0;

-- CallsRepository.memberRow [mysql]
SELECT `CallMember`.`id` AS `CallMember_id`, `CallMember`.`call_id` AS `CallMember_call_id`, `CallMember`.`user_id` AS `CallMember_user_id`, `CallMember`.`role` AS `CallMember_role`, `CallMember`.`created_at` AS `CallMember_created_at`, `CallMember`.`removed_at` AS `CallMember_removed_at`, `CallMember`.`audio_muted_at` AS `CallMember_audio_muted_at`, `CallMember`.`video_muted_at` AS `CallMember_video_muted_at`, `CallMember`.`speaker_at` AS `CallMember_speaker_at`, `CallMember`.`demoted_at` AS `CallMember_demoted_at`, `CallMember`.`hand_raised_at` AS `CallMember_hand_raised_at`, `CallMember`.`hand_session_id` AS `CallMember_hand_session_id` FROM `call_members` `CallMember` WHERE ((`CallMember`.`call_id` = ?) AND (`CallMember`.`user_id` = ?)) LIMIT 1;

-- CallsRepository.memberRow [sqlite]
SELECT "CallMember"."id" AS "CallMember_id", "CallMember"."call_id" AS "CallMember_call_id", "CallMember"."user_id" AS "CallMember_user_id", "CallMember"."role" AS "CallMember_role", "CallMember"."created_at" AS "CallMember_created_at", "CallMember"."removed_at" AS "CallMember_removed_at", "CallMember"."audio_muted_at" AS "CallMember_audio_muted_at", "CallMember"."video_muted_at" AS "CallMember_video_muted_at", "CallMember"."speaker_at" AS "CallMember_speaker_at", "CallMember"."demoted_at" AS "CallMember_demoted_at", "CallMember"."hand_raised_at" AS "CallMember_hand_raised_at", "CallMember"."hand_session_id" AS "CallMember_hand_session_id" FROM "call_members" "CallMember" WHERE (("CallMember"."call_id" = ?) AND ("CallMember"."user_id" = ?)) LIMIT 1;

-- CallsRepository.membersAmong [mysql]
SELECT `CallMember`.`user_id` AS `CallMember_user_id`, `CallMember`.`id` AS `CallMember_id` FROM `call_members` `CallMember` WHERE ((`CallMember`.`call_id` = ?) AND (`CallMember`.`user_id` IN (?, …)));

-- CallsRepository.membersAmong [sqlite]
SELECT "CallMember"."user_id" AS "CallMember_user_id", "CallMember"."id" AS "CallMember_id" FROM "call_members" "CallMember" WHERE (("CallMember"."call_id" = ?) AND ("CallMember"."user_id" IN (?, …)));

-- CallsRepository.memberViews [mysql]
SELECT `CallMember`.`user_id` AS `CallMember_user_id`, `CallMember`.`role` AS `CallMember_role`, `CallMember`.`audio_muted_at` AS `CallMember_audio_muted_at`, `CallMember`.`video_muted_at` AS `CallMember_video_muted_at`, `CallMember`.`speaker_at` AS `CallMember_speaker_at`, `CallMember`.`id` AS `CallMember_id` FROM `call_members` `CallMember` WHERE ((`CallMember`.`call_id` = ?) AND (`CallMember`.`user_id` IN (?, …)));

-- CallsRepository.memberViews [sqlite]
SELECT "CallMember"."user_id" AS "CallMember_user_id", "CallMember"."role" AS "CallMember_role", "CallMember"."audio_muted_at" AS "CallMember_audio_muted_at", "CallMember"."video_muted_at" AS "CallMember_video_muted_at", "CallMember"."speaker_at" AS "CallMember_speaker_at", "CallMember"."id" AS "CallMember_id" FROM "call_members" "CallMember" WHERE (("CallMember"."call_id" = ?) AND ("CallMember"."user_id" IN (?, …)));

-- CallsRepository.noteLocked [mysql]
(no statement)

-- CallsRepository.noteLocked [sqlite]
(no statement)
