-- The SQL every method of StageRepository sends, per database, written by test/repositories.e2e-spec.ts.
-- Do not edit: after a query change run `UPDATE_SQL=1 npx jest test/repositories.e2e-spec.ts` (SQLite)
-- and `UPDATE_SQL=1 TEST_DB=mysql npx jest --runInBand test/repositories.e2e-spec.ts` (MariaDB), and review the diff.

-- StageRepository.countRaisedHands [mysql]
SELECT COUNT(*) AS hands FROM call_members m JOIN call_sessions s ON s.id = m.hand_session_id AND s.open = 1 WHERE m.call_id = ? AND m.hand_raised_at IS NOT NULL AND m.removed_at IS NULL;

-- StageRepository.countRaisedHands [sqlite]
SELECT COUNT(*) AS hands FROM call_members m JOIN call_sessions s ON s.id = m.hand_session_id AND s.open = 1 WHERE m.call_id = ? AND m.hand_raised_at IS NOT NULL AND m.removed_at IS NULL;

-- StageRepository.freeSeat [mysql]
UPDATE `calls` SET `speaker_count` = `speaker_count` - 1 WHERE `id` = ? AND `speaker_count` > 0;

-- StageRepository.freeSeat [sqlite]
UPDATE "calls" SET "speaker_count" = "speaker_count" - 1 WHERE "id" = ? AND "speaker_count" > 0;

-- StageRepository.lowerHand [mysql]
UPDATE `call_members` SET `hand_raised_at` = ?, `hand_session_id` = ? WHERE `call_id` = ? AND `user_id` = ?;

-- StageRepository.lowerHand [sqlite]
UPDATE "call_members" SET "hand_raised_at" = ?, "hand_session_id" = ? WHERE "call_id" = ? AND "user_id" = ?;

-- StageRepository.raisedHands [mysql]
SELECT m.user_id AS user_id, m.hand_raised_at AS raised_at FROM call_members m JOIN call_sessions s ON s.id = m.hand_session_id AND s.open = 1 WHERE m.call_id = ? AND m.hand_raised_at IS NOT NULL AND m.removed_at IS NULL ORDER BY m.hand_raised_at, m.id LIMIT ?;

-- StageRepository.raisedHands [sqlite]
SELECT m.user_id AS user_id, m.hand_raised_at AS raised_at FROM call_members m JOIN call_sessions s ON s.id = m.hand_session_id AND s.open = 1 WHERE m.call_id = ? AND m.hand_raised_at IS NOT NULL AND m.removed_at IS NULL ORDER BY m.hand_raised_at, m.id LIMIT ?;

-- StageRepository.raiseHand [mysql]
UPDATE `call_members` SET `hand_raised_at` = ?, `hand_session_id` = ? WHERE `call_id` = ? AND `user_id` = ?;

-- StageRepository.raiseHand [sqlite]
UPDATE "call_members" SET "hand_raised_at" = ?, "hand_session_id" = ? WHERE "call_id" = ? AND "user_id" = ?;

-- StageRepository.setListener [mysql]
UPDATE `call_members` SET `speaker_at` = ?, `demoted_at` = ? WHERE `call_id` = ? AND `user_id` = ?;

-- StageRepository.setListener [sqlite]
UPDATE "call_members" SET "speaker_at" = ?, "demoted_at" = ? WHERE "call_id" = ? AND "user_id" = ?;

-- StageRepository.setSpeaker [mysql]
UPDATE `call_members` SET `speaker_at` = ?, `demoted_at` = ?, `hand_raised_at` = ?, `hand_session_id` = ? WHERE `call_id` = ? AND `user_id` = ?;

-- StageRepository.setSpeaker [sqlite]
UPDATE "call_members" SET "speaker_at" = ?, "demoted_at" = ?, "hand_raised_at" = ?, "hand_session_id" = ? WHERE "call_id" = ? AND "user_id" = ?;

-- StageRepository.takeSeat [mysql]
UPDATE `calls` SET `speaker_count` = `speaker_count` + 1 WHERE `id` = ? AND `speaker_count` < `max_speakers`;

-- StageRepository.takeSeat [sqlite]
UPDATE "calls" SET "speaker_count" = "speaker_count" + 1 WHERE "id" = ? AND "speaker_count" < "max_speakers";
