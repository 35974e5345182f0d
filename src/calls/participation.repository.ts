import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { isUniqueViolation } from '../database/db-errors';
import { isSerial } from '../database/dialect';
import { RawDate, RawId, toBool, toDate, toInt } from '../database/raw-values';
import { execute, InsertStatement, persisted } from '../database/raw-writes';
import type { CallPreference } from '../preferences/entities/call-preference.entity';
import { MaskingPreferencesDto } from '../preferences/dto/preferences.dto';
import { toMasking } from '../preferences/preferences.service';
import { CallsRepository } from './calls.repository';
import { CallMediaSegment } from './entities/call-media-segment.entity';
import { CallMember, CallRole } from './entities/call-member.entity';
import { CallMedia, CallSession, OPEN } from './entities/call-session.entity';
import { Call, CallMode, CallStatus, MediaEncryptionMode } from './entities/call.entity';
import { UidBinding } from './entities/uid-binding.entity';

/** A call, one member's row in it, their open session and assigned uid, read together (see `memberState`). */
export interface MemberState {
  call: Pick<Call, 'id' | 'title' | 'channelName' | 'status' | 'isPublic' | 'maxParticipants' | 'recordingId' | 'startsAt' | 'endsAt' | 'lobby' | 'waitForHost' | 'mode' | 'activeParticipants' | 'encryption'>;
  /** `speaker`: on a stage, the member may publish (`speaker_at` set). */
  member: { role: CallRole; removed: boolean; speaker: boolean } | null;
  open: Pick<CallSession, 'id' | 'callId' | 'joinedAt' | 'media'> | null;
  /** On a stage, when the member raised their hand in their open session; null when it is down (or they are not in). */
  handRaisedAt: Date | null;
  /** The uid the service assigned the member in this call at their first join; null before. */
  assignedUid: number | null;
  /** What the member's client applies on entry (read in the same round trip). */
  preferences: MaskingPreferencesDto;
  /** Whether the member agreed to be recorded (their preferences; false without a row). */
  recordingConsent: boolean;
}

/** A member's open session and its open media segment, read together (see `openSessionForUpdate`). */
export interface OpenStay {
  session: Pick<CallSession, 'id' | 'callId' | 'joinedAt'>;
  segment: Pick<CallMediaSegment, 'id' | 'media' | 'startedAt'> | null;
  /** The call's running recording (`calls.recording_id`), read in the same round trip. */
  recordingId: number | null;
}

const OPEN_STAY_SQL = `
  SELECT c.id AS call_id, c.recording_id AS recording_id, s.id AS session_id, s.joined_at AS joined_at, g.id AS segment_id, g.media AS media, g.started_at AS started_at
  FROM calls c
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  LEFT JOIN call_media_segments g ON g.session_id = s.id AND g.ended_at IS NULL
  WHERE c.id = ?`;

const CALL_PART = `c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status,
         c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id, c.mode AS mode,
         c.lobby AS lobby, c.wait_for_host AS wait_for_host, c.starts_at AS starts_at, c.ends_at AS ends_at,
         c.active_participants AS active_participants, c.encryption AS encryption`;

const JOIN_LOCK_SQL = `SELECT ${CALL_PART} FROM calls c WHERE c.id = ?`;

const MEMBER_PART = `m.role AS role, m.removed_at AS removed_at, m.speaker_at AS speaker_at, m.hand_raised_at AS hand_raised_at, m.hand_session_id AS hand_session_id,
         s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid,
         p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video,
         p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar,
         p.recording_consent AS p_consent`;

const MEMBER_STATE_SQL = `
  SELECT ${CALL_PART},
         ${MEMBER_PART}
  FROM calls c
  LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ?
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1
  LEFT JOIN call_preferences p ON p.user_id = ?
  WHERE c.id = ?`;

/** MEMBER_STATE_SQL for a list of members of one call (`(:ids)` becomes a derived table of their ids). */
const MEMBER_STATES_SQL = `
  SELECT ids.user_id AS user_id,
         ${MEMBER_PART}
  FROM (:ids) ids
  LEFT JOIN call_members m ON m.call_id = ? AND m.user_id = ids.user_id
  LEFT JOIN call_sessions s ON s.call_id = ? AND s.user_id = ids.user_id AND s.open = 1
  LEFT JOIN call_uid_bindings b ON b.call_id = ? AND b.user_id = ids.user_id AND b.assigned = 1
  LEFT JOIN call_preferences p ON p.user_id = ids.user_id`;

const TAKE_SLOTS_SQL = `UPDATE calls
  SET peak_participants = CASE WHEN active_participants + ? > peak_participants THEN active_participants + ? ELSE peak_participants END,
      active_participants = active_participants + ?
  WHERE id = ?`;

/** Each new session's first segment, copied from the session rows just written (their ids come from the database). */
const OPEN_SEGMENTS_SQL = `INSERT INTO call_media_segments (session_id, call_id, user_id, media, started_at, ended_at, duration_seconds, folded_at)
  SELECT s.id, s.call_id, s.user_id, s.media, s.joined_at, NULL, NULL, NULL FROM call_sessions s WHERE s.call_id = ? AND s.open = 1 AND s.user_id IN`;

interface CallPartRow {
  call_id: RawId;
  title: string;
  channel_name: string;
  status: CallStatus;
  is_public: number | boolean;
  max_participants: RawId;
  recording_id: RawId | null;
  starts_at: RawDate;
  ends_at: RawDate;
  lobby: number | boolean;
  wait_for_host: number | boolean;
  mode: CallMode;
  active_participants: RawId;
  encryption: MediaEncryptionMode;
}

interface MemberPartRow {
  role: CallRole | null;
  removed_at: RawDate;
  session_id: RawId | null;
  media: CallMedia | null;
  joined_at: RawDate;
  p_user: RawId | null;
  p_voice: number | boolean | null;
  p_video: number | boolean | null;
  p_mute: number | boolean | null;
  p_quality: string | null;
  p_avatar: string | null;
  p_consent: number | boolean | null;
  assigned_uid: RawId | null;
  speaker_at: RawDate;
  hand_raised_at: RawDate;
  hand_session_id: RawId | null;
}

function callPart(row: CallPartRow): MemberState['call'] {
  return {
    id: toInt(row.call_id)!,
    title: row.title,
    channelName: row.channel_name,
    status: row.status,
    isPublic: toBool(row.is_public),
    maxParticipants: toInt(row.max_participants)!,
    recordingId: toInt(row.recording_id),
    startsAt: toDate(row.starts_at),
    endsAt: toDate(row.ends_at),
    lobby: toBool(row.lobby),
    waitForHost: toBool(row.wait_for_host),
    mode: row.mode,
    activeParticipants: toInt(row.active_participants)!,
    encryption: row.encryption,
  };
}

function memberPart(row: MemberPartRow, callId: number): Omit<MemberState, 'call'> {
  return {
    member: row.role === null ? null : { role: row.role, removed: row.removed_at !== null, speaker: row.speaker_at !== null },
    open: row.session_id === null ? null : { id: toInt(row.session_id)!, callId, media: row.media!, joinedAt: toDate(row.joined_at)! },
    // A hand counts in the session it was raised in only: closing that session lowered it.
    handRaisedAt: row.session_id !== null && toInt(row.hand_session_id) === toInt(row.session_id) ? toDate(row.hand_raised_at) : null,
    assignedUid: toInt(row.assigned_uid),
    preferences: toMasking(
      row.p_user === null
        ? null
        : {
            voiceMaskingEnabled: toBool(row.p_voice),
            videoMaskingEnabled: toBool(row.p_video),
            autoMuteOnJoin: toBool(row.p_mute),
            videoQuality: row.p_quality as CallPreference['videoQuality'],
            preferredAvatar: row.p_avatar,
          },
    ),
    recordingConsent: row.p_user !== null && toBool(row.p_consent),
  };
}

// The writes of join and leave, as fixed SQL (see src/database/raw-writes.ts). Table and column
// names are those of the entities; TypeORM's metadata check (migration:generate --check) keeps
// them in step with the schema.
// peak first: MySQL applies SET clauses left to right, SQLite all at once; this order gives both
// the same result.
const RESERVE_SLOT_SQL = `UPDATE calls
  SET peak_participants = CASE WHEN active_participants + 1 > peak_participants THEN active_participants + 1 ELSE peak_participants END,
      active_participants = active_participants + 1
  WHERE id = ? AND status = 'active' AND active_participants < max_participants`;
const RELEASE_SLOT_SQL = 'UPDATE calls SET active_participants = active_participants - 1 WHERE id = ? AND active_participants > 0';
const CLOSE_SESSION_SQL = 'UPDATE call_sessions SET open = NULL, left_at = ?, duration_seconds = ?, leave_reason = ? WHERE id = ? AND open = 1';
const CLOSE_SEGMENT_SQL = 'UPDATE call_media_segments SET ended_at = ?, duration_seconds = ? WHERE id = ?';
const INSERT_MEMBER = new InsertStatement(CallMember, ['callId', 'userId', 'role', 'createdAt', 'removedAt']);
const INSERT_SESSION = new InsertStatement(CallSession, [
  'callId', 'userId', 'media', 'open', 'joinedAt', 'leftAt', 'durationSeconds', 'leaveReason', 'lastSeenAt', 'heartbeatAt', 'agoraJoinedAt', 'tokenExpiresAt', 'lastClientSeq',
]);
const INSERT_SEGMENT = new InsertStatement(CallMediaSegment, ['sessionId', 'callId', 'userId', 'media', 'startedAt', 'endedAt', 'durationSeconds', 'foldedAt']);
const INSERT_ASSIGNED_UID = new InsertStatement(UidBinding, ['callId', 'uid', 'userId', 'assigned', 'createdAt']);


/**
 * The SQL of participation: the member's state read under the call's lock, the live head count,
 * sessions, media segments and the uids bound to members (`call_uid_bindings`). The join and
 * leave writes are fixed SQL strings (`src/database/raw-writes.ts`): their statement counts are
 * pinned (test/statement-counts.e2e-spec.ts). Used by ParticipationService, CallsService and
 * AssignedUids; other features go through those services.
 */
@Injectable()
export class ParticipationRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calls: CallsRepository,
  ) {}

  // ---- the member's state, read under the call's lock

  /**
   * The call, the member's row in it and their open session, in one round trip. Inside a
   * transaction that holds the call's lock this is the state every rule may rely on.
   */
  async memberState(manager: EntityManager, callId: number, userId: number): Promise<MemberState | null> {
    const rows: Array<CallPartRow & MemberPartRow> = await manager.query(MEMBER_STATE_SQL, [userId, userId, userId, userId, callId]);
    const row = rows[0];
    if (!row) return null;
    return { call: callPart(row), ...memberPart(row, callId) };
  }

  /**
   * Takes the call's row lock for a group of joins and reads the call with its live head count
   * (`CallsService` group joins, see JoinGroups). Null when there is no such call.
   */
  async lockForJoins(manager: EntityManager, callId: number): Promise<MemberState['call'] | null> {
    const rows: CallPartRow[] = await manager.query(isSerial(manager) ? JOIN_LOCK_SQL : `${JOIN_LOCK_SQL} FOR UPDATE`, [callId]);
    const row = rows[0];
    if (!row) return null;
    this.calls.noteLocked(manager, callId);
    return callPart(row);
  }

  /** `memberState` for several members of one call in one round trip (the call read by `lockForJoins`). */
  async memberStates(manager: EntityManager, call: MemberState['call'], userIds: number[]): Promise<Map<number, MemberState>> {
    const list = `(${userIds.map(() => 'SELECT ? AS user_id').join(' UNION ALL ')})`;
    const rows: Array<MemberPartRow & { user_id: RawId }> = await manager.query(MEMBER_STATES_SQL.replace('(:ids)', list), [...userIds, call.id, call.id, call.id]);
    return new Map(rows.map((row) => [toInt(row.user_id)!, { call, ...memberPart(row, call.id) }]));
  }

  /** Takes `count` slots of the call's live head count at once; the caller holds the lock and counted the free ones. */
  async takeSlots(manager: EntityManager, callId: number, count: number): Promise<void> {
    await execute(manager, TAKE_SLOTS_SQL, [count, count, count, callId]);
  }

  /**
   * Opens a session for each member (none of whom has one open: the caller read that under the
   * call's lock) and each session's first media segment: two statements whatever the number.
   */
  async openSessions(manager: EntityManager, callId: number, members: Array<{ userId: number; media: CallMedia }>, at: Date): Promise<void> {
    await INSERT_SESSION.runMany(
      manager,
      members.map(({ userId, media }) => ({ callId, userId, media, open: OPEN, joinedAt: at, leftAt: null, durationSeconds: null, leaveReason: null, lastSeenAt: at, heartbeatAt: null, agoraJoinedAt: null, tokenExpiresAt: null, lastClientSeq: null })),
    );
    await execute(manager, `${OPEN_SEGMENTS_SQL} (${members.map(() => '?').join(', ')})`, [callId, ...members.map((m) => m.userId)]);
  }

  /** Binds several assigned uids in one INSERT; false (nothing bound) when one of them is bound already. */
  async bindAssignedUids(manager: EntityManager, callId: number, bindings: Array<{ userId: number; uid: number }>, at: Date): Promise<boolean> {
    try {
      await INSERT_ASSIGNED_UID.runMany(manager, bindings.map(({ userId, uid }) => ({ callId, uid, userId, assigned: 1, createdAt: at })));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Takes the call's row lock and reads the member's open session with its open media segment,
   * in one round trip (the lock covers the rows read: call, session, segment). Null when the
   * member has no open session.
   */
  async openSessionForUpdate(manager: EntityManager, callId: number, userId: number): Promise<OpenStay | null> {
    const serial = isSerial(manager);
    const rows: Array<{ recording_id: RawId | null; session_id: RawId | null; joined_at: RawDate; segment_id: RawId | null; media: CallMedia | null; started_at: RawDate }> = await manager.query(
      serial ? OPEN_STAY_SQL : `${OPEN_STAY_SQL} FOR UPDATE`,
      [userId, callId],
    );
    if (rows.length > 0) this.calls.noteLocked(manager, callId);
    const row = rows[0];
    if (!row || row.session_id === null) return null;
    return {
      session: { id: toInt(row.session_id)!, callId, joinedAt: toDate(row.joined_at)! },
      segment: row.segment_id === null ? null : { id: toInt(row.segment_id)!, media: row.media!, startedAt: toDate(row.started_at)! },
      recordingId: toInt(row.recording_id),
    };
  }

  // ---- the live head count

  /**
   * Takes one slot of the call's live head count if it is active and not full: one conditional
   * UPDATE, atomic on both databases, which also takes the call's row lock when it matches.
   */
  async reserveSlot(manager: EntityManager, callId: number): Promise<boolean> {
    if ((await execute(manager, RESERVE_SLOT_SQL, [callId])) === 0) return false;
    this.calls.noteLocked(manager, callId);
    return true;
  }

  /** Gives a slot back (a session closed). */
  async releaseSlot(manager: EntityManager, callId: number): Promise<void> {
    await execute(manager, RELEASE_SLOT_SQL, [callId]);
  }

  // ---- members, sessions and segments

  /** Adds a member to a call (participant) unless they already are one. */
  async addMember(manager: EntityManager, callId: number, userId: number, at: Date): Promise<void> {
    await INSERT_MEMBER.run(manager, { callId, userId, role: 'participant', createdAt: at, removedAt: null });
  }

  /** Inserts a new session row and sets its generated id on `session`. */
  async insertSession(manager: EntityManager, session: CallSession): Promise<void> {
    session.id = await INSERT_SESSION.run(manager, session);
  }

  /** Closes an open session row; false when it was closed already (someone else got there first). */
  async closeSession(manager: EntityManager, id: number, leftAt: Date, durationSeconds: number, reason: string): Promise<boolean> {
    return (await execute(manager, CLOSE_SESSION_SQL, [persisted(manager, CallSession, 'leftAt', leftAt), durationSeconds, reason, id])) === 1;
  }

  async setSessionMedia(manager: EntityManager, id: number, media: CallMedia): Promise<void> {
    await manager.update(CallSession, { id }, { media });
  }

  openSessionsOf(manager: EntityManager, callId: number): Promise<Array<Pick<CallSession, 'id' | 'callId' | 'joinedAt'>>> {
    return manager.find(CallSession, { where: { callId, open: OPEN }, select: { id: true, callId: true, joinedAt: true } });
  }

  /** Who is in a call now, earliest first. */
  openSessionsByJoin(callId: number): Promise<CallSession[]> {
    return this.dataSource.getRepository(CallSession).find({ where: { callId, open: OPEN }, order: { joinedAt: 'ASC' } });
  }

  async openSegment(manager: EntityManager, session: Pick<CallSession, 'id' | 'callId' | 'userId'>, media: CallMedia, at: Date): Promise<void> {
    await INSERT_SEGMENT.run(manager, { sessionId: session.id, callId: session.callId, userId: session.userId, media, startedAt: at, endedAt: null, durationSeconds: null, foldedAt: null });
  }

  findOpenSegment(manager: EntityManager, sessionId: number): Promise<CallMediaSegment | null> {
    return manager.findOne(CallMediaSegment, { where: { sessionId, endedAt: IsNull() } });
  }

  async closeSegmentRow(manager: EntityManager, id: number, endedAt: Date, durationSeconds: number): Promise<void> {
    await execute(manager, CLOSE_SEGMENT_SQL, [persisted(manager, CallMediaSegment, 'endedAt', endedAt), durationSeconds, id]);
  }

  // ---- uid bindings

  /** The member's assigned uid in a call, if they have one. */
  async assignedUid(manager: EntityManager, callId: number, userId: number): Promise<number | null> {
    const binding = await manager.findOne(UidBinding, { where: { callId, userId, assigned: 1 }, select: { id: true, uid: true } });
    return binding?.uid ?? null;
  }

  /**
   * Binds `uid` to the member as their assigned uid in the call: one INSERT. False when the uid is
   * bound already (to anyone: a client may have picked it), so the caller tries the next one.
   */
  async bindAssignedUid(manager: EntityManager, callId: number, userId: number, uid: number, at: Date): Promise<boolean> {
    try {
      await INSERT_ASSIGNED_UID.run(manager, { callId, uid, userId, assigned: 1, createdAt: at });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** The uids each member was given tokens for, per call. */
  async uidsOf(callId: number, userIds: number[]): Promise<Map<number, number[]>> {
    const uids = new Map<number, number[]>();
    if (userIds.length === 0) return uids;
    const rows = await this.dataSource.getRepository(UidBinding).find({ where: { callId, userId: In(userIds) }, select: { userId: true, uid: true } });
    for (const row of rows) uids.set(row.userId, [...(uids.get(row.userId) ?? []), row.uid]);
    return uids;
  }

  /** Binds a uid the member picked in a token request (not their assigned one): one INSERT, which fails on a uid bound already. */
  async bindPickedUid(manager: EntityManager, callId: number, uid: number, userId: number, at: Date): Promise<void> {
    await manager.insert(UidBinding, { callId, uid, userId, createdAt: at });
  }

  /** Who the uid is bound to in a call, if anyone. */
  async uidOwner(callId: number, uid: number): Promise<number | null> {
    const binding = await this.dataSource.getRepository(UidBinding).findOne({ where: { callId, uid }, select: { userId: true } });
    return binding?.userId ?? null;
  }
}
