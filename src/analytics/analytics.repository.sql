-- The SQL every method of AnalyticsRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- AnalyticsRepository.addToDay [mysql]
UPDATE `analytics_days` SET `peak_participants` = CASE WHEN `peak_participants` < ? THEN ? ELSE `peak_participants` END, `calls_created` = `calls_created` + ?, `calls_ended` = `calls_ended` + ?, `ended_duration_ms` = `ended_duration_ms` + ?, `audio_ms` = `audio_ms` + ?, `video_ms` = `video_ms` + ?, `participants` = `participants` + ? WHERE `day` = ? AND `shard` = 0;
INSERT INTO `analytics_days`(`day`, `shard`, `participants`, `calls_created`, `calls_ended`, `ended_duration_ms`, `peak_participants`, `audio_ms`, `video_ms`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
SELECT `AnalyticsDay`.`day` AS `AnalyticsDay_day`, `AnalyticsDay`.`shard` AS `AnalyticsDay_shard`, `AnalyticsDay`.`participants` AS `AnalyticsDay_participants`, `AnalyticsDay`.`calls_created` AS `AnalyticsDay_calls_created`, `AnalyticsDay`.`calls_ended` AS `AnalyticsDay_calls_ended`, `AnalyticsDay`.`ended_duration_ms` AS `AnalyticsDay_ended_duration_ms`, `AnalyticsDay`.`peak_participants` AS `AnalyticsDay_peak_participants`, `AnalyticsDay`.`audio_ms` AS `AnalyticsDay_audio_ms`, `AnalyticsDay`.`video_ms` AS `AnalyticsDay_video_ms` FROM `analytics_days` `AnalyticsDay` WHERE (`AnalyticsDay`.`day` = ? AND `AnalyticsDay`.`shard` = ?);

-- AnalyticsRepository.addToDay [sqlite]
UPDATE "analytics_days" SET "peak_participants" = CASE WHEN "peak_participants" < ? THEN ? ELSE "peak_participants" END, "calls_created" = "calls_created" + ?, "calls_ended" = "calls_ended" + ?, "ended_duration_ms" = "ended_duration_ms" + ?, "audio_ms" = "audio_ms" + ?, "video_ms" = "video_ms" + ?, "participants" = "participants" + ? WHERE "day" = ? AND "shard" = 0;
INSERT INTO "analytics_days"("day", "shard", "participants", "calls_created", "calls_ended", "ended_duration_ms", "peak_participants", "audio_ms", "video_ms") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
SELECT "AnalyticsDay"."day" AS "AnalyticsDay_day", "AnalyticsDay"."shard" AS "AnalyticsDay_shard", "AnalyticsDay"."participants" AS "AnalyticsDay_participants", "AnalyticsDay"."calls_created" AS "AnalyticsDay_calls_created", "AnalyticsDay"."calls_ended" AS "AnalyticsDay_calls_ended", "AnalyticsDay"."ended_duration_ms" AS "AnalyticsDay_ended_duration_ms", "AnalyticsDay"."peak_participants" AS "AnalyticsDay_peak_participants", "AnalyticsDay"."audio_ms" AS "AnalyticsDay_audio_ms", "AnalyticsDay"."video_ms" AS "AnalyticsDay_video_ms" FROM "analytics_days" "AnalyticsDay" WHERE ("AnalyticsDay"."day" = ? AND "AnalyticsDay"."shard" = ?);

-- AnalyticsRepository.livePeaks [mysql]
SELECT `call`.`created_at` AS `call_created_at`, `call`.`peak_participants` AS `call_peak_participants`, `call`.`id` AS `call_id` FROM `calls` `call` WHERE `call`.`status` IN ('active', 'paused') AND `call`.`created_at` >= ? AND `call`.`created_at` < ?;

-- AnalyticsRepository.livePeaks [sqlite]
SELECT "call"."created_at" AS "call_created_at", "call"."peak_participants" AS "call_peak_participants", "call"."id" AS "call_id" FROM "calls" "call" WHERE "call"."status" IN ('active', 'paused') AND "call"."created_at" >= ? AND "call"."created_at" < ?;

-- AnalyticsRepository.markCallsFolded [mysql]
UPDATE `calls` SET `analytics_state` = ? WHERE `id` IN (?) AND `analytics_state` IS NULL;

-- AnalyticsRepository.markCallsFolded [sqlite]
UPDATE "calls" SET "analytics_state" = ? WHERE "id" IN (?) AND "analytics_state" IS NULL;

-- AnalyticsRepository.markFolded:_segments [mysql]
UPDATE `call_media_segments` SET `folded_at` = ? WHERE `id` IN (?) AND `folded_at` IS NULL;

-- AnalyticsRepository.markFolded:_segments [sqlite]
UPDATE "call_media_segments" SET "folded_at" = ? WHERE "id" IN (?) AND "folded_at" IS NULL;

-- AnalyticsRepository.markFolded:_sessions [mysql]
UPDATE `call_sessions` SET `folded_at` = ? WHERE `id` IN (?) AND `folded_at` IS NULL;

-- AnalyticsRepository.markFolded:_sessions [sqlite]
UPDATE "call_sessions" SET "folded_at" = ? WHERE "id" IN (?) AND "folded_at" IS NULL;

-- AnalyticsRepository.saveSketch:_merged [mysql]
UPDATE `analytics_day_sketches` SET `registers` = ? WHERE `day` = ?;

-- AnalyticsRepository.saveSketch:_merged [sqlite]
UPDATE "analytics_day_sketches" SET "registers" = ? WHERE "day" = ?;

-- AnalyticsRepository.saveSketch:_new [mysql]
INSERT INTO `analytics_day_sketches`(`day`, `registers`) VALUES (?, ?);

-- AnalyticsRepository.saveSketch:_new [sqlite]
INSERT INTO "analytics_day_sketches"("day", "registers") VALUES (?, ?);

-- AnalyticsRepository.sketchesForUpdate [mysql]
SELECT `AnalyticsDaySketch`.`day` AS `AnalyticsDaySketch_day`, `AnalyticsDaySketch`.`registers` AS `AnalyticsDaySketch_registers` FROM `analytics_day_sketches` `AnalyticsDaySketch` WHERE ((`AnalyticsDaySketch`.`day` IN (?))) FOR UPDATE;

-- AnalyticsRepository.sketchesForUpdate [sqlite]
SELECT "AnalyticsDaySketch"."day" AS "AnalyticsDaySketch_day", "AnalyticsDaySketch"."registers" AS "AnalyticsDaySketch_registers" FROM "analytics_day_sketches" "AnalyticsDaySketch" WHERE (("AnalyticsDaySketch"."day" IN (?)));

-- AnalyticsRepository.storedDays [mysql]
SELECT `AnalyticsDay`.`day` AS `AnalyticsDay_day`, `AnalyticsDay`.`shard` AS `AnalyticsDay_shard`, `AnalyticsDay`.`participants` AS `AnalyticsDay_participants`, `AnalyticsDay`.`calls_created` AS `AnalyticsDay_calls_created`, `AnalyticsDay`.`calls_ended` AS `AnalyticsDay_calls_ended`, `AnalyticsDay`.`ended_duration_ms` AS `AnalyticsDay_ended_duration_ms`, `AnalyticsDay`.`peak_participants` AS `AnalyticsDay_peak_participants`, `AnalyticsDay`.`audio_ms` AS `AnalyticsDay_audio_ms`, `AnalyticsDay`.`video_ms` AS `AnalyticsDay_video_ms` FROM `analytics_days` `AnalyticsDay` WHERE ((`AnalyticsDay`.`day` BETWEEN ? AND ?));
SELECT `AnalyticsDaySketch`.`day` AS `AnalyticsDaySketch_day`, `AnalyticsDaySketch`.`registers` AS `AnalyticsDaySketch_registers` FROM `analytics_day_sketches` `AnalyticsDaySketch` WHERE ((`AnalyticsDaySketch`.`day` BETWEEN ? AND ?));

-- AnalyticsRepository.storedDays [sqlite]
SELECT "AnalyticsDay"."day" AS "AnalyticsDay_day", "AnalyticsDay"."shard" AS "AnalyticsDay_shard", "AnalyticsDay"."participants" AS "AnalyticsDay_participants", "AnalyticsDay"."calls_created" AS "AnalyticsDay_calls_created", "AnalyticsDay"."calls_ended" AS "AnalyticsDay_calls_ended", "AnalyticsDay"."ended_duration_ms" AS "AnalyticsDay_ended_duration_ms", "AnalyticsDay"."peak_participants" AS "AnalyticsDay_peak_participants", "AnalyticsDay"."audio_ms" AS "AnalyticsDay_audio_ms", "AnalyticsDay"."video_ms" AS "AnalyticsDay_video_ms" FROM "analytics_days" "AnalyticsDay" WHERE (("AnalyticsDay"."day" BETWEEN ? AND ?));
SELECT "AnalyticsDaySketch"."day" AS "AnalyticsDaySketch_day", "AnalyticsDaySketch"."registers" AS "AnalyticsDaySketch_registers" FROM "analytics_day_sketches" "AnalyticsDaySketch" WHERE (("AnalyticsDaySketch"."day" BETWEEN ? AND ?));

-- AnalyticsRepository.unfoldedCalls [mysql]
SELECT id, created_at, ended_at, peak_participants, analytics_state FROM calls WHERE (analytics_state IS NULL OR (analytics_state = 1 AND ended_at IS NOT NULL)) AND id > ? ORDER BY id;

-- AnalyticsRepository.unfoldedCalls [sqlite]
SELECT id, created_at, ended_at, peak_participants, analytics_state FROM calls WHERE (analytics_state IS NULL OR (analytics_state = 1 AND ended_at IS NOT NULL)) AND id > ? ORDER BY id;

-- AnalyticsRepository.unfoldedCalls:_a_batch [mysql]
SELECT id, created_at, ended_at, peak_participants, analytics_state FROM calls WHERE (analytics_state IS NULL OR (analytics_state = 1 AND ended_at IS NOT NULL)) AND id > ? ORDER BY id LIMIT ?;

-- AnalyticsRepository.unfoldedCalls:_a_batch [sqlite]
SELECT id, created_at, ended_at, peak_participants, analytics_state FROM calls WHERE (analytics_state IS NULL OR (analytics_state = 1 AND ended_at IS NOT NULL)) AND id > ? ORDER BY id LIMIT ?;

-- AnalyticsRepository.unfoldedSegments [mysql]
SELECT id, media, started_at, ended_at FROM call_media_segments WHERE folded_at IS NULL AND ended_at IS NOT NULL AND id > ? ORDER BY id;

-- AnalyticsRepository.unfoldedSegments [sqlite]
SELECT id, media, started_at, ended_at FROM call_media_segments WHERE folded_at IS NULL AND ended_at IS NOT NULL AND id > ? ORDER BY id;

-- AnalyticsRepository.unfoldedSegments:_a_batch [mysql]
SELECT id, media, started_at, ended_at FROM call_media_segments WHERE folded_at IS NULL AND ended_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?;

-- AnalyticsRepository.unfoldedSegments:_a_batch [sqlite]
SELECT id, media, started_at, ended_at FROM call_media_segments WHERE folded_at IS NULL AND ended_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?;

-- AnalyticsRepository.unfoldedSessions [mysql]
SELECT s.id, s.user_id, s.joined_at, (SELECT COUNT(*) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.id < s.id) AS earlier FROM call_sessions s WHERE s.folded_at IS NULL AND s.id > ? ORDER BY s.id;

-- AnalyticsRepository.unfoldedSessions [sqlite]
SELECT s.id, s.user_id, s.joined_at, (SELECT COUNT(*) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.id < s.id) AS earlier FROM call_sessions s WHERE s.folded_at IS NULL AND s.id > ? ORDER BY s.id;

-- AnalyticsRepository.unfoldedSessions:_a_batch [mysql]
SELECT s.id, s.user_id, s.joined_at, (SELECT COUNT(*) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.id < s.id) AS earlier FROM call_sessions s WHERE s.folded_at IS NULL AND s.id > ? ORDER BY s.id LIMIT ?;

-- AnalyticsRepository.unfoldedSessions:_a_batch [sqlite]
SELECT s.id, s.user_id, s.joined_at, (SELECT COUNT(*) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.id < s.id) AS earlier FROM call_sessions s WHERE s.folded_at IS NULL AND s.id > ? ORDER BY s.id LIMIT ?;
