-- The SQL every method of PresenceRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- PresenceRepository.channelNames [mysql]
SELECT `Call`.`id` AS `Call_id`, `Call`.`channel_name` AS `Call_channel_name` FROM `calls` `Call` WHERE ((`Call`.`id` IN (?)));

-- PresenceRepository.channelNames [sqlite]
SELECT "Call"."id" AS "Call_id", "Call"."channel_name" AS "Call_channel_name" FROM "calls" "Call" WHERE (("Call"."id" IN (?)));

-- PresenceRepository.claimSequence [mysql]
UPDATE `call_sessions` SET `last_client_seq` = ? WHERE `id` = ? AND `open` = 1 AND (`last_client_seq` IS NULL OR `last_client_seq` < ?);

-- PresenceRepository.claimSequence [sqlite]
UPDATE "call_sessions" SET "last_client_seq" = ? WHERE "id" = ? AND "open" = 1 AND ("last_client_seq" IS NULL OR "last_client_seq" < ?);

-- PresenceRepository.expiredBy [mysql]
SELECT `s`.`id` AS `s_id`, `s`.`call_id` AS `s_call_id`, `s`.`user_id` AS `s_user_id`, `s`.`joined_at` AS `s_joined_at`, `s`.`last_seen_at` AS `s_last_seen_at`, `s`.`token_expires_at` AS `s_token_expires_at` FROM `call_sessions` `s` WHERE `s`.`open` = 1 AND (`s`.`token_expires_at` <= ? OR (`s`.`token_expires_at` IS NULL AND `s`.`joined_at` < ?)) LIMIT 200;

-- PresenceRepository.expiredBy [sqlite]
SELECT "s"."id" AS "s_id", "s"."call_id" AS "s_call_id", "s"."user_id" AS "s_user_id", "s"."joined_at" AS "s_joined_at", "s"."last_seen_at" AS "s_last_seen_at", "s"."token_expires_at" AS "s_token_expires_at" FROM "call_sessions" "s" WHERE "s"."open" = 1 AND ("s"."token_expires_at" <= ? OR ("s"."token_expires_at" IS NULL AND "s"."joined_at" < ?)) LIMIT 200;

-- PresenceRepository.idleCalls [mysql]
SELECT `c`.`id` AS `c_id`, `c`.`created_at` AS `c_created_at`, `c`.`starts_at` AS `c_starts_at` FROM `calls` `c` WHERE `c`.`status` IN ('active', 'paused') AND `c`.`active_participants` = 0 AND `c`.`created_at` < ? AND `c`.`ends_at` IS NULL AND (`c`.`starts_at` IS NULL OR `c`.`starts_at` < ?) AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = `c`.`id` AND (s.open = 1 OR s.left_at >= ?)) LIMIT 200;

-- PresenceRepository.idleCalls [sqlite]
SELECT "c"."id" AS "c_id", "c"."created_at" AS "c_created_at", "c"."starts_at" AS "c_starts_at" FROM "calls" "c" WHERE "c"."status" IN ('active', 'paused') AND "c"."active_participants" = 0 AND "c"."created_at" < ? AND "c"."ends_at" IS NULL AND ("c"."starts_at" IS NULL OR "c"."starts_at" < ?) AND NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = "c"."id" AND (s.open = 1 OR s.left_at >= ?)) LIMIT 200;

-- PresenceRepository.lastLeftAt [mysql]
SELECT `CallSession`.`id` AS `CallSession_id`, `CallSession`.`left_at` AS `CallSession_left_at` FROM `call_sessions` `CallSession` WHERE ((`CallSession`.`call_id` = ?)) ORDER BY `CallSession_left_at` DESC LIMIT 1;

-- PresenceRepository.lastLeftAt [sqlite]
SELECT "CallSession"."id" AS "CallSession_id", "CallSession"."left_at" AS "CallSession_left_at" FROM "call_sessions" "CallSession" WHERE (("CallSession"."call_id" = ?)) ORDER BY "CallSession_left_at" DESC LIMIT 1;

-- PresenceRepository.liveCallByChannel [mysql]
SELECT `Call`.`id` AS `Call_id`, `Call`.`status` AS `Call_status`, `Call`.`channel_name` AS `Call_channel_name` FROM `calls` `Call` WHERE ((`Call`.`channel_name` = ?)) LIMIT 1;

-- PresenceRepository.liveCallByChannel [sqlite]
SELECT "Call"."id" AS "Call_id", "Call"."status" AS "Call_status", "Call"."channel_name" AS "Call_channel_name" FROM "calls" "Call" WHERE (("Call"."channel_name" = ?)) LIMIT 1;

-- PresenceRepository.markSeen [mysql]
UPDATE `call_sessions` SET `last_seen_at` = ? WHERE `id` IN (?) AND `open` = 1 AND (`last_seen_at` IS NULL OR `last_seen_at` < ?);

-- PresenceRepository.markSeen [sqlite]
UPDATE "call_sessions" SET "last_seen_at" = ? WHERE "id" IN (?) AND "open" = 1 AND ("last_seen_at" IS NULL OR "last_seen_at" < ?);

-- PresenceRepository.openSessionOfUid [mysql]
SELECT `UidBinding`.`id` AS `UidBinding_id`, `UidBinding`.`user_id` AS `UidBinding_user_id` FROM `call_uid_bindings` `UidBinding` WHERE ((`UidBinding`.`call_id` = ?) AND (`UidBinding`.`uid` = ?)) LIMIT 1;
SELECT `CallSession`.`id` AS `CallSession_id`, `CallSession`.`call_id` AS `CallSession_call_id`, `CallSession`.`joined_at` AS `CallSession_joined_at` FROM `call_sessions` `CallSession` WHERE ((`CallSession`.`call_id` = ?) AND (`CallSession`.`user_id` = ?) AND (`CallSession`.`open` = ?)) LIMIT 1;

-- PresenceRepository.openSessionOfUid [sqlite]
SELECT "UidBinding"."id" AS "UidBinding_id", "UidBinding"."user_id" AS "UidBinding_user_id" FROM "call_uid_bindings" "UidBinding" WHERE (("UidBinding"."call_id" = ?) AND ("UidBinding"."uid" = ?)) LIMIT 1;
SELECT "CallSession"."id" AS "CallSession_id", "CallSession"."call_id" AS "CallSession_call_id", "CallSession"."joined_at" AS "CallSession_joined_at" FROM "call_sessions" "CallSession" WHERE (("CallSession"."call_id" = ?) AND ("CallSession"."user_id" = ?) AND ("CallSession"."open" = ?)) LIMIT 1;

-- PresenceRepository.openStayOfUid [mysql]
SELECT s.id AS id, s.joined_at AS joined_at, s.last_client_seq AS last_client_seq, (SELECT MAX(p.left_at) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.open IS NULL) AS previous_left_at FROM call_uid_bindings b JOIN call_sessions s ON s.call_id = b.call_id AND s.user_id = b.user_id AND s.open = 1 WHERE b.call_id = ? AND b.uid = ?;

-- PresenceRepository.openStayOfUid [sqlite]
SELECT s.id AS id, s.joined_at AS joined_at, s.last_client_seq AS last_client_seq, (SELECT MAX(p.left_at) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.open IS NULL) AS previous_left_at FROM call_uid_bindings b JOIN call_sessions s ON s.call_id = b.call_id AND s.user_id = b.user_id AND s.open = 1 WHERE b.call_id = ? AND b.uid = ?;

-- PresenceRepository.purgeNotices [mysql]
SELECT `n`.`notice_id` AS `n_notice_id` FROM `agora_notices` `n` WHERE `n`.`received_at` < ? ORDER BY `n`.`received_at` ASC LIMIT 500;

-- PresenceRepository.purgeNotices [sqlite]
SELECT "n"."notice_id" AS "n_notice_id" FROM "agora_notices" "n" WHERE "n"."received_at" < ? ORDER BY "n"."received_at" ASC LIMIT 500;

-- PresenceRepository.recordAgoraJoin [mysql]
UPDATE `call_sessions` SET `last_seen_at` = CASE WHEN `last_seen_at` IS NULL OR `last_seen_at` < ? THEN ? ELSE `last_seen_at` END, `agora_joined_at` = COALESCE(`agora_joined_at`, ?) WHERE `id` = ? AND `open` = 1;

-- PresenceRepository.recordAgoraJoin [sqlite]
UPDATE "call_sessions" SET "last_seen_at" = CASE WHEN "last_seen_at" IS NULL OR "last_seen_at" < ? THEN ? ELSE "last_seen_at" END, "agora_joined_at" = COALESCE("agora_joined_at", ?) WHERE "id" = ? AND "open" = 1;

-- PresenceRepository.recordHeartbeat [mysql]
UPDATE `call_sessions` SET `last_seen_at` = ?, `heartbeat_at` = ? WHERE `call_id` = ? AND `user_id` = ? AND `open` = 1;

-- PresenceRepository.recordHeartbeat [sqlite]
UPDATE "call_sessions" SET "last_seen_at" = ?, "heartbeat_at" = ? WHERE "call_id" = ? AND "user_id" = ? AND "open" = 1;

-- PresenceRepository.recordNotice [mysql]
INSERT INTO `agora_notices`(`notice_id`, `event_type`, `received_at`) VALUES (?, ?, ?);

-- PresenceRepository.recordNotice [sqlite]
INSERT INTO "agora_notices"("notice_id", "event_type", "received_at") VALUES (?, ?, ?);

-- PresenceRepository.unconfirmedSince [mysql]
SELECT `s`.`id` AS `s_id`, `s`.`call_id` AS `s_call_id`, `s`.`user_id` AS `s_user_id`, `s`.`joined_at` AS `s_joined_at`, `s`.`last_seen_at` AS `s_last_seen_at`, `s`.`token_expires_at` AS `s_token_expires_at` FROM `call_sessions` `s` WHERE `s`.`open` = 1 AND `s`.`last_seen_at` < ? AND `s`.`agora_joined_at` IS NULL AND `s`.`id` > ? ORDER BY `s_id` ASC LIMIT 200;

-- PresenceRepository.unconfirmedSince [sqlite]
SELECT "s"."id" AS "s_id", "s"."call_id" AS "s_call_id", "s"."user_id" AS "s_user_id", "s"."joined_at" AS "s_joined_at", "s"."last_seen_at" AS "s_last_seen_at", "s"."token_expires_at" AS "s_token_expires_at" FROM "call_sessions" "s" WHERE "s"."open" = 1 AND "s"."last_seen_at" < ? AND "s"."agora_joined_at" IS NULL AND "s"."id" > ? ORDER BY "s_id" ASC LIMIT 200;

-- PresenceRepository.unconfirmedSince:_heartbeats_only [mysql]
SELECT `s`.`id` AS `s_id`, `s`.`call_id` AS `s_call_id`, `s`.`user_id` AS `s_user_id`, `s`.`joined_at` AS `s_joined_at`, `s`.`last_seen_at` AS `s_last_seen_at`, `s`.`token_expires_at` AS `s_token_expires_at` FROM `call_sessions` `s` WHERE `s`.`open` = 1 AND `s`.`last_seen_at` < ? AND `s`.`agora_joined_at` IS NULL AND `s`.`id` > ? AND `s`.`heartbeat_at` IS NOT NULL ORDER BY `s_id` ASC LIMIT 200;

-- PresenceRepository.unconfirmedSince:_heartbeats_only [sqlite]
SELECT "s"."id" AS "s_id", "s"."call_id" AS "s_call_id", "s"."user_id" AS "s_user_id", "s"."joined_at" AS "s_joined_at", "s"."last_seen_at" AS "s_last_seen_at", "s"."token_expires_at" AS "s_token_expires_at" FROM "call_sessions" "s" WHERE "s"."open" = 1 AND "s"."last_seen_at" < ? AND "s"."agora_joined_at" IS NULL AND "s"."id" > ? AND "s"."heartbeat_at" IS NOT NULL ORDER BY "s_id" ASC LIMIT 200;
