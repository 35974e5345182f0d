import { DataSource } from 'typeorm';

/**
 * The participation invariants (DEVELOPERS.md, "Participation invariants"), each as one SQL
 * query that returns the rows breaking it. Portable SQL: the same checks run on SQLite and
 * MariaDB.
 */
export const PARTICIPATION_INVARIANTS: Readonly<Record<string, string>> = {
  'a removed member has no open session': `
    SELECT s.id, s.call_id, s.user_id FROM call_sessions s
    JOIN call_members m ON m.call_id = s.call_id AND m.user_id = s.user_id
    WHERE s.open = 1 AND m.removed_at IS NOT NULL`,
  'a closed session has no open segment': `
    SELECT g.id, g.session_id FROM call_media_segments g
    JOIN call_sessions s ON s.id = g.session_id
    WHERE g.ended_at IS NULL AND s.open IS NULL`,
  'an open session has exactly one open segment': `
    SELECT s.id, (SELECT COUNT(*) FROM call_media_segments g WHERE g.session_id = s.id AND g.ended_at IS NULL) AS open_segments
    FROM call_sessions s
    WHERE s.open = 1 AND (SELECT COUNT(*) FROM call_media_segments g WHERE g.session_id = s.id AND g.ended_at IS NULL) <> 1`,
  "a call's live count equals its open sessions and never exceeds its cap": `
    SELECT c.id, c.active_participants, c.max_participants,
           (SELECT COUNT(*) FROM call_sessions s WHERE s.call_id = c.id AND s.open = 1) AS open_sessions
    FROM calls c
    WHERE c.active_participants <> (SELECT COUNT(*) FROM call_sessions s WHERE s.call_id = c.id AND s.open = 1)
       OR c.active_participants > c.max_participants`,
  'an ended call has no open session': `
    SELECT s.id, s.call_id FROM call_sessions s JOIN calls c ON c.id = s.call_id
    WHERE s.open = 1 AND c.status = 'ended'`,
  "a stage's speaker count equals its speakers (not removed) and never exceeds its cap; conferences have none": `
    SELECT c.id, c.mode, c.speaker_count, c.max_speakers,
           (SELECT COUNT(*) FROM call_members m WHERE m.call_id = c.id AND m.speaker_at IS NOT NULL AND m.removed_at IS NULL) AS speakers
    FROM calls c
    WHERE (c.mode = 'stage' AND (c.speaker_count IS NULL OR c.speaker_count > c.max_speakers
             OR c.speaker_count <> (SELECT COUNT(*) FROM call_members m WHERE m.call_id = c.id AND m.speaker_at IS NOT NULL AND m.removed_at IS NULL)))
       OR (c.mode <> 'stage' AND (c.speaker_count IS NOT NULL OR EXISTS (SELECT 1 FROM call_members m WHERE m.call_id = c.id AND m.speaker_at IS NOT NULL)))`,
  "on a stage the host and moderators are speakers, and a speaker's hand is down": `
    SELECT m.id, m.call_id, m.user_id, m.role FROM call_members m JOIN calls c ON c.id = m.call_id
    WHERE c.mode = 'stage' AND m.removed_at IS NULL
      AND ((m.role IN ('host', 'moderator') AND m.speaker_at IS NULL) OR (m.speaker_at IS NOT NULL AND m.hand_raised_at IS NOT NULL))`,
  "no session or segment outlasts the call's end": `
    SELECT s.id, s.call_id FROM call_sessions s JOIN calls c ON c.id = s.call_id
    WHERE c.ended_at IS NOT NULL AND (s.left_at > c.ended_at
       OR EXISTS (SELECT 1 FROM call_media_segments g WHERE g.session_id = s.id AND g.ended_at > c.ended_at))`,
};

/** Every invariant that does not hold, with (up to five of) the rows that break it. */
export async function brokenInvariants(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  const broken: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(PARTICIPATION_INVARIANTS)) {
    const rows: unknown[] = await dataSource.query(sql);
    if (rows.length > 0) broken[name] = rows.slice(0, 5);
  }
  return broken;
}
