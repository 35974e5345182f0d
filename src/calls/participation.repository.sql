-- The SQL every method of ParticipationRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- ParticipationRepository.addMember [mysql]
INSERT INTO `call_members` (`call_id`, `user_id`, `role`, `created_at`, `removed_at`) VALUES (?, ?, ?, ?, ?);

-- ParticipationRepository.addMember [sqlite]
INSERT INTO "call_members" ("call_id", "user_id", "role", "created_at", "removed_at") VALUES (?, ?, ?, ?, ?);

-- ParticipationRepository.assignedUid [mysql]
SELECT `UidBinding`.`id` AS `UidBinding_id`, `UidBinding`.`uid` AS `UidBinding_uid` FROM `call_uid_bindings` `UidBinding` WHERE ((`UidBinding`.`call_id` = ?) AND (`UidBinding`.`user_id` = ?) AND (`UidBinding`.`assigned` = ?)) LIMIT 1;

-- ParticipationRepository.assignedUid [sqlite]
SELECT "UidBinding"."id" AS "UidBinding_id", "UidBinding"."uid" AS "UidBinding_uid" FROM "call_uid_bindings" "UidBinding" WHERE (("UidBinding"."call_id" = ?) AND ("UidBinding"."user_id" = ?) AND ("UidBinding"."assigned" = ?)) LIMIT 1;

-- ParticipationRepository.bindAssignedUid [mysql]
INSERT INTO `call_uid_bindings` (`call_id`, `uid`, `user_id`, `assigned`, `created_at`) VALUES (?, ?, ?, ?, ?);

-- ParticipationRepository.bindAssignedUid [sqlite]
INSERT INTO "call_uid_bindings" ("call_id", "uid", "user_id", "assigned", "created_at") VALUES (?, ?, ?, ?, ?);

-- ParticipationRepository.bindAssignedUids [mysql]
INSERT INTO `call_uid_bindings` (`call_id`, `uid`, `user_id`, `assigned`, `created_at`) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?);

-- ParticipationRepository.bindAssignedUids [sqlite]
INSERT INTO "call_uid_bindings" ("call_id", "uid", "user_id", "assigned", "created_at") VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?);

-- ParticipationRepository.bindPickedUid [mysql]
INSERT INTO `call_uid_bindings`(`id`, `call_id`, `uid`, `user_id`, `assigned`, `created_at`) VALUES (DEFAULT, ?, ?, ?, DEFAULT, ?);

-- ParticipationRepository.bindPickedUid [sqlite]
INSERT INTO "call_uid_bindings"("id", "call_id", "uid", "user_id", "assigned", "created_at") VALUES (NULL, ?, ?, ?, NULL, ?);

-- ParticipationRepository.closeSegmentRow [mysql]
UPDATE call_media_segments SET ended_at = ?, duration_seconds = ? WHERE id = ?;

-- ParticipationRepository.closeSegmentRow [sqlite]
UPDATE call_media_segments SET ended_at = ?, duration_seconds = ? WHERE id = ?;

-- ParticipationRepository.closeSession [mysql]
UPDATE call_sessions SET open = NULL, left_at = ?, duration_seconds = ?, leave_reason = ? WHERE id = ? AND open = 1;

-- ParticipationRepository.closeSession [sqlite]
UPDATE call_sessions SET open = NULL, left_at = ?, duration_seconds = ?, leave_reason = ? WHERE id = ? AND open = 1;

-- ParticipationRepository.findOpenSegment [mysql]
SELECT `CallMediaSegment`.`id` AS `CallMediaSegment_id`, `CallMediaSegment`.`session_id` AS `CallMediaSegment_session_id`, `CallMediaSegment`.`call_id` AS `CallMediaSegment_call_id`, `CallMediaSegment`.`user_id` AS `CallMediaSegment_user_id`, `CallMediaSegment`.`media` AS `CallMediaSegment_media`, `CallMediaSegment`.`started_at` AS `CallMediaSegment_started_at`, `CallMediaSegment`.`ended_at` AS `CallMediaSegment_ended_at`, `CallMediaSegment`.`duration_seconds` AS `CallMediaSegment_duration_seconds`, `CallMediaSegment`.`folded_at` AS `CallMediaSegment_folded_at` FROM `call_media_segments` `CallMediaSegment` WHERE ((`CallMediaSegment`.`session_id` = ?) AND (`CallMediaSegment`.`ended_at` IS NULL)) LIMIT 1;

-- ParticipationRepository.findOpenSegment [sqlite]
SELECT "CallMediaSegment"."id" AS "CallMediaSegment_id", "CallMediaSegment"."session_id" AS "CallMediaSegment_session_id", "CallMediaSegment"."call_id" AS "CallMediaSegment_call_id", "CallMediaSegment"."user_id" AS "CallMediaSegment_user_id", "CallMediaSegment"."media" AS "CallMediaSegment_media", "CallMediaSegment"."started_at" AS "CallMediaSegment_started_at", "CallMediaSegment"."ended_at" AS "CallMediaSegment_ended_at", "CallMediaSegment"."duration_seconds" AS "CallMediaSegment_duration_seconds", "CallMediaSegment"."folded_at" AS "CallMediaSegment_folded_at" FROM "call_media_segments" "CallMediaSegment" WHERE (("CallMediaSegment"."session_id" = ?) AND ("CallMediaSegment"."ended_at" IS NULL)) LIMIT 1;

-- ParticipationRepository.insertSession [mysql]
INSERT INTO `call_sessions` (`call_id`, `user_id`, `media`, `open`, `joined_at`, `left_at`, `duration_seconds`, `leave_reason`, `last_seen_at`, `heartbeat_at`, `agora_joined_at`, `token_expires_at`, `last_client_seq`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- ParticipationRepository.insertSession [sqlite]
INSERT INTO "call_sessions" ("call_id", "user_id", "media", "open", "joined_at", "left_at", "duration_seconds", "leave_reason", "last_seen_at", "heartbeat_at", "agora_joined_at", "token_expires_at", "last_client_seq") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- ParticipationRepository.lockForJoins [mysql]
SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id, c.mode AS mode, c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.starts_at AS starts_at, c.ends_at AS ends_at, c.active_participants AS active_participants, c.encryption AS encryption FROM calls c WHERE c.id = ? FOR UPDATE;

-- ParticipationRepository.lockForJoins [sqlite]
SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id, c.mode AS mode, c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.starts_at AS starts_at, c.ends_at AS ends_at, c.active_participants AS active_participants, c.encryption AS encryption FROM calls c WHERE c.id = ?;

-- ParticipationRepository.memberState [mysql]
SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id, c.mode AS mode, c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.starts_at AS starts_at, c.ends_at AS ends_at, c.active_participants AS active_participants, c.encryption AS encryption, m.role AS role, m.removed_at AS removed_at, m.speaker_at AS speaker_at, m.hand_raised_at AS hand_raised_at, m.hand_session_id AS hand_session_id, s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid, p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video, p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar, p.recording_consent AS p_consent FROM calls c LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1 LEFT JOIN call_preferences p ON p.user_id = ? WHERE c.id = ?;

-- ParticipationRepository.memberState [sqlite]
SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id, c.mode AS mode, c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.starts_at AS starts_at, c.ends_at AS ends_at, c.active_participants AS active_participants, c.encryption AS encryption, m.role AS role, m.removed_at AS removed_at, m.speaker_at AS speaker_at, m.hand_raised_at AS hand_raised_at, m.hand_session_id AS hand_session_id, s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid, p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video, p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar, p.recording_consent AS p_consent FROM calls c LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1 LEFT JOIN call_preferences p ON p.user_id = ? WHERE c.id = ?;

-- ParticipationRepository.memberStates [mysql]
SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id, c.mode AS mode, c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.starts_at AS starts_at, c.ends_at AS ends_at, c.active_participants AS active_participants, c.encryption AS encryption, m.role AS role, m.removed_at AS removed_at, m.speaker_at AS speaker_at, m.hand_raised_at AS hand_raised_at, m.hand_session_id AS hand_session_id, s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid, p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video, p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar, p.recording_consent AS p_consent FROM calls c LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1 LEFT JOIN call_preferences p ON p.user_id = ? WHERE c.id = ?;
SELECT ids.user_id AS user_id, m.role AS role, m.removed_at AS removed_at, m.speaker_at AS speaker_at, m.hand_raised_at AS hand_raised_at, m.hand_session_id AS hand_session_id, s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid, p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video, p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar, p.recording_consent AS p_consent FROM (SELECT ? AS user_id UNION ALL SELECT ? AS user_id UNION ALL SELECT ? AS user_id) ids LEFT JOIN call_members m ON m.call_id = ? AND m.user_id = ids.user_id LEFT JOIN call_sessions s ON s.call_id = ? AND s.user_id = ids.user_id AND s.open = 1 LEFT JOIN call_uid_bindings b ON b.call_id = ? AND b.user_id = ids.user_id AND b.assigned = 1 LEFT JOIN call_preferences p ON p.user_id = ids.user_id;

-- ParticipationRepository.memberStates [sqlite]
SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id, c.mode AS mode, c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.starts_at AS starts_at, c.ends_at AS ends_at, c.active_participants AS active_participants, c.encryption AS encryption, m.role AS role, m.removed_at AS removed_at, m.speaker_at AS speaker_at, m.hand_raised_at AS hand_raised_at, m.hand_session_id AS hand_session_id, s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid, p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video, p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar, p.recording_consent AS p_consent FROM calls c LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1 LEFT JOIN call_preferences p ON p.user_id = ? WHERE c.id = ?;
SELECT ids.user_id AS user_id, m.role AS role, m.removed_at AS removed_at, m.speaker_at AS speaker_at, m.hand_raised_at AS hand_raised_at, m.hand_session_id AS hand_session_id, s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid, p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video, p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar, p.recording_consent AS p_consent FROM (SELECT ? AS user_id UNION ALL SELECT ? AS user_id UNION ALL SELECT ? AS user_id) ids LEFT JOIN call_members m ON m.call_id = ? AND m.user_id = ids.user_id LEFT JOIN call_sessions s ON s.call_id = ? AND s.user_id = ids.user_id AND s.open = 1 LEFT JOIN call_uid_bindings b ON b.call_id = ? AND b.user_id = ids.user_id AND b.assigned = 1 LEFT JOIN call_preferences p ON p.user_id = ids.user_id;

-- ParticipationRepository.openSegment [mysql]
INSERT INTO `call_media_segments` (`session_id`, `call_id`, `user_id`, `media`, `started_at`, `ended_at`, `duration_seconds`, `folded_at`) VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- ParticipationRepository.openSegment [sqlite]
INSERT INTO "call_media_segments" ("session_id", "call_id", "user_id", "media", "started_at", "ended_at", "duration_seconds", "folded_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- ParticipationRepository.openSessionForUpdate [mysql]
SELECT c.id AS call_id, c.recording_id AS recording_id, s.id AS session_id, s.joined_at AS joined_at, g.id AS segment_id, g.media AS media, g.started_at AS started_at FROM calls c LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_media_segments g ON g.session_id = s.id AND g.ended_at IS NULL WHERE c.id = ? FOR UPDATE;

-- ParticipationRepository.openSessionForUpdate [sqlite]
SELECT c.id AS call_id, c.recording_id AS recording_id, s.id AS session_id, s.joined_at AS joined_at, g.id AS segment_id, g.media AS media, g.started_at AS started_at FROM calls c LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_media_segments g ON g.session_id = s.id AND g.ended_at IS NULL WHERE c.id = ?;

-- ParticipationRepository.openSessions [mysql]
INSERT INTO `call_sessions` (`call_id`, `user_id`, `media`, `open`, `joined_at`, `left_at`, `duration_seconds`, `leave_reason`, `last_seen_at`, `heartbeat_at`, `agora_joined_at`, `token_expires_at`, `last_client_seq`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
INSERT INTO call_media_segments (session_id, call_id, user_id, media, started_at, ended_at, duration_seconds, folded_at) SELECT s.id, s.call_id, s.user_id, s.media, s.joined_at, NULL, NULL, NULL FROM call_sessions s WHERE s.call_id = ? AND s.open = 1 AND s.user_id IN (?, …);

-- ParticipationRepository.openSessions [sqlite]
INSERT INTO "call_sessions" ("call_id", "user_id", "media", "open", "joined_at", "left_at", "duration_seconds", "leave_reason", "last_seen_at", "heartbeat_at", "agora_joined_at", "token_expires_at", "last_client_seq") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
INSERT INTO call_media_segments (session_id, call_id, user_id, media, started_at, ended_at, duration_seconds, folded_at) SELECT s.id, s.call_id, s.user_id, s.media, s.joined_at, NULL, NULL, NULL FROM call_sessions s WHERE s.call_id = ? AND s.open = 1 AND s.user_id IN (?, …);

-- ParticipationRepository.openSessionsByJoin [mysql]
SELECT `CallSession`.`id` AS `CallSession_id`, `CallSession`.`call_id` AS `CallSession_call_id`, `CallSession`.`user_id` AS `CallSession_user_id`, `CallSession`.`media` AS `CallSession_media`, `CallSession`.`open` AS `CallSession_open`, `CallSession`.`joined_at` AS `CallSession_joined_at`, `CallSession`.`left_at` AS `CallSession_left_at`, `CallSession`.`duration_seconds` AS `CallSession_duration_seconds`, `CallSession`.`leave_reason` AS `CallSession_leave_reason`, `CallSession`.`last_seen_at` AS `CallSession_last_seen_at`, `CallSession`.`heartbeat_at` AS `CallSession_heartbeat_at`, `CallSession`.`agora_joined_at` AS `CallSession_agora_joined_at`, `CallSession`.`token_expires_at` AS `CallSession_token_expires_at`, `CallSession`.`last_client_seq` AS `CallSession_last_client_seq`, `CallSession`.`folded_at` AS `CallSession_folded_at` FROM `call_sessions` `CallSession` WHERE ((`CallSession`.`call_id` = ?) AND (`CallSession`.`open` = ?)) ORDER BY `CallSession`.`joined_at` ASC;

-- ParticipationRepository.openSessionsByJoin [sqlite]
SELECT "CallSession"."id" AS "CallSession_id", "CallSession"."call_id" AS "CallSession_call_id", "CallSession"."user_id" AS "CallSession_user_id", "CallSession"."media" AS "CallSession_media", "CallSession"."open" AS "CallSession_open", "CallSession"."joined_at" AS "CallSession_joined_at", "CallSession"."left_at" AS "CallSession_left_at", "CallSession"."duration_seconds" AS "CallSession_duration_seconds", "CallSession"."leave_reason" AS "CallSession_leave_reason", "CallSession"."last_seen_at" AS "CallSession_last_seen_at", "CallSession"."heartbeat_at" AS "CallSession_heartbeat_at", "CallSession"."agora_joined_at" AS "CallSession_agora_joined_at", "CallSession"."token_expires_at" AS "CallSession_token_expires_at", "CallSession"."last_client_seq" AS "CallSession_last_client_seq", "CallSession"."folded_at" AS "CallSession_folded_at" FROM "call_sessions" "CallSession" WHERE (("CallSession"."call_id" = ?) AND ("CallSession"."open" = ?)) ORDER BY "CallSession"."joined_at" ASC;

-- ParticipationRepository.openSessionsOf [mysql]
SELECT `CallSession`.`id` AS `CallSession_id`, `CallSession`.`call_id` AS `CallSession_call_id`, `CallSession`.`joined_at` AS `CallSession_joined_at` FROM `call_sessions` `CallSession` WHERE ((`CallSession`.`call_id` = ?) AND (`CallSession`.`open` = ?));

-- ParticipationRepository.openSessionsOf [sqlite]
SELECT "CallSession"."id" AS "CallSession_id", "CallSession"."call_id" AS "CallSession_call_id", "CallSession"."joined_at" AS "CallSession_joined_at" FROM "call_sessions" "CallSession" WHERE (("CallSession"."call_id" = ?) AND ("CallSession"."open" = ?));

-- ParticipationRepository.releaseSlot [mysql]
UPDATE calls SET active_participants = active_participants - 1 WHERE id = ? AND active_participants > 0;

-- ParticipationRepository.releaseSlot [sqlite]
UPDATE calls SET active_participants = active_participants - 1 WHERE id = ? AND active_participants > 0;

-- ParticipationRepository.reserveSlot [mysql]
UPDATE calls SET peak_participants = CASE WHEN active_participants + 1 > peak_participants THEN active_participants + 1 ELSE peak_participants END, active_participants = active_participants + 1 WHERE id = ? AND status = 'active' AND active_participants < max_participants;

-- ParticipationRepository.reserveSlot [sqlite]
UPDATE calls SET peak_participants = CASE WHEN active_participants + 1 > peak_participants THEN active_participants + 1 ELSE peak_participants END, active_participants = active_participants + 1 WHERE id = ? AND status = 'active' AND active_participants < max_participants;

-- ParticipationRepository.setSessionMedia [mysql]
UPDATE `call_sessions` SET `media` = ? WHERE `id` = ?;

-- ParticipationRepository.setSessionMedia [sqlite]
UPDATE "call_sessions" SET "media" = ? WHERE "id" = ?;

-- ParticipationRepository.takeSlots [mysql]
UPDATE calls SET peak_participants = CASE WHEN active_participants + ? > peak_participants THEN active_participants + ? ELSE peak_participants END, active_participants = active_participants + ? WHERE id = ?;

-- ParticipationRepository.takeSlots [sqlite]
UPDATE calls SET peak_participants = CASE WHEN active_participants + ? > peak_participants THEN active_participants + ? ELSE peak_participants END, active_participants = active_participants + ? WHERE id = ?;

-- ParticipationRepository.uidOwner [mysql]
SELECT `UidBinding`.`user_id` AS `UidBinding_user_id`, `UidBinding`.`id` AS `UidBinding_id` FROM `call_uid_bindings` `UidBinding` WHERE ((`UidBinding`.`call_id` = ?) AND (`UidBinding`.`uid` = ?)) LIMIT 1;

-- ParticipationRepository.uidOwner [sqlite]
SELECT "UidBinding"."user_id" AS "UidBinding_user_id", "UidBinding"."id" AS "UidBinding_id" FROM "call_uid_bindings" "UidBinding" WHERE (("UidBinding"."call_id" = ?) AND ("UidBinding"."uid" = ?)) LIMIT 1;

-- ParticipationRepository.uidsOf [mysql]
SELECT `UidBinding`.`user_id` AS `UidBinding_user_id`, `UidBinding`.`uid` AS `UidBinding_uid`, `UidBinding`.`id` AS `UidBinding_id` FROM `call_uid_bindings` `UidBinding` WHERE ((`UidBinding`.`call_id` = ?) AND (`UidBinding`.`user_id` IN (?, …)));

-- ParticipationRepository.uidsOf [sqlite]
SELECT "UidBinding"."user_id" AS "UidBinding_user_id", "UidBinding"."uid" AS "UidBinding_uid", "UidBinding"."id" AS "UidBinding_id" FROM "call_uid_bindings" "UidBinding" WHERE (("UidBinding"."call_id" = ?) AND ("UidBinding"."user_id" IN (?, …)));
