-- The SQL every method of TokensRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- TokensRepository.recordToken [mysql]
UPDATE `call_sessions` SET `token_expires_at` = ?, `last_seen_at` = ? WHERE `id` = ? AND `open` = ? AND (`token_expires_at` IS NULL OR `token_expires_at` < ?);

-- TokensRepository.recordToken [sqlite]
UPDATE "call_sessions" SET "token_expires_at" = ?, "last_seen_at" = ? WHERE "id" = ? AND "open" = ? AND ("token_expires_at" IS NULL OR "token_expires_at" < ?);

-- TokensRepository.tokenAdmission:_assigned_uid [mysql]
SELECT c.id AS call_id, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, s.id AS session_id, s.token_expires_at AS token_expires_at, m.role AS role, m.removed_at AS removed_at, m.audio_muted_at AS audio_muted_at, m.video_muted_at AS video_muted_at, b.user_id AS bound_user_id, b.uid AS bound_uid, c.starts_at AS starts_at, c.ends_at AS ends_at FROM calls c LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1 WHERE c.channel_name = ?;

-- TokensRepository.tokenAdmission:_assigned_uid [sqlite]
SELECT c.id AS call_id, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, s.id AS session_id, s.token_expires_at AS token_expires_at, m.role AS role, m.removed_at AS removed_at, m.audio_muted_at AS audio_muted_at, m.video_muted_at AS video_muted_at, b.user_id AS bound_user_id, b.uid AS bound_uid, c.starts_at AS starts_at, c.ends_at AS ends_at FROM calls c LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1 WHERE c.channel_name = ?;

-- TokensRepository.tokenAdmission:_requested_uid [mysql]
SELECT c.id AS call_id, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, s.id AS session_id, s.token_expires_at AS token_expires_at, m.role AS role, m.removed_at AS removed_at, m.audio_muted_at AS audio_muted_at, m.video_muted_at AS video_muted_at, b.user_id AS bound_user_id, b.uid AS bound_uid, c.starts_at AS starts_at, c.ends_at AS ends_at FROM calls c LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.uid = ? WHERE c.channel_name = ?;

-- TokensRepository.tokenAdmission:_requested_uid [sqlite]
SELECT c.id AS call_id, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, s.id AS session_id, s.token_expires_at AS token_expires_at, m.role AS role, m.removed_at AS removed_at, m.audio_muted_at AS audio_muted_at, m.video_muted_at AS video_muted_at, b.user_id AS bound_user_id, b.uid AS bound_uid, c.starts_at AS starts_at, c.ends_at AS ends_at FROM calls c LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1 LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ? LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.uid = ? WHERE c.channel_name = ?;
