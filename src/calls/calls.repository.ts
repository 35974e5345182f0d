import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, IsNull, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { toDate, toInt } from '../database/raw-values';
import { execute, InsertStatement, persisted } from '../database/raw-writes';
import { isUniqueViolation } from '../database/db-errors';
import { MuteRule, MutePrivilege } from '../moderation/entities/mute-rule.entity';
import { User } from '../auth/entities/user.entity';
import { UidBinding } from '../tokens/entities/uid-binding.entity';
import { MaskingPreferencesDto } from '../preferences/dto/preferences.dto';
import { CallPreference } from '../preferences/entities/call-preference.entity';
import { toMasking } from '../preferences/preferences.service';
import { isSameChannel } from './channel-name';
import { CallMediaSegment } from './entities/call-media-segment.entity';
import { CallMember, CallRole } from './entities/call-member.entity';
import { CallMedia, CallSession, OPEN, TOKEN_EXPIRY_LAG_MS } from './entities/call-session.entity';
import { Call, CallStatus } from './entities/call.entity';
import { CallRing, RingState } from './entities/call-ring.entity';

/** A call, one member's row in it, their open session and assigned uid, read together (see `memberState`). */
export interface MemberState {
  call: Pick<Call, 'id' | 'title' | 'channelName' | 'status' | 'isPublic' | 'maxParticipants' | 'recordingId'>;
  member: { role: CallRole; removed: boolean } | null;
  open: Pick<CallSession, 'id' | 'callId' | 'joinedAt' | 'media'> | null;
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

/** What a token request needs to know, read in one round trip (see `tokenAdmission`). */
export interface TokenAdmission {
  callId: number;
  channelName: string;
  status: CallStatus;
  isPublic: boolean;
  sessionId: number | null;
  tokenExpiresAt: Date | null;
  member: { removed: boolean } | null;
  /** The caller's mute flags in the call (their member row; false without one). */
  muted: { audio: boolean; video: boolean };
  /** With a uid in the request, who that uid is bound to; without, the caller (when they have an assigned uid). */
  boundUserId: number | null;
  /** The uid the token is for: the requested one, or the caller's assigned uid (null when none yet). */
  uid: number | null;
}

export interface UnfoldedCall {
  id: number;
  createdAt: Date;
  endedAt: Date | null;
  peakParticipants: number;
  /** `calls.analytics_state` as read: null nothing folded, 1 the creation. */
  state: 1 | null;
}

export interface UnfoldedSession {
  id: number;
  userId: number;
  joinedAt: Date;
  /** The member's first session in this call: they become a participant of it. */
  first: boolean;
}

export interface UnfoldedSegment {
  id: number;
  media: CallMedia;
  startedAt: Date;
  endedAt: Date;
}

/** How one member appears in a call's view: their role and whether they are muted. */
export interface MemberView {
  role: CallRole;
  audioMuted: boolean;
  videoMuted: boolean;
}

/** Which calls my-calls lists: the member's own (`mine`), or those plus public live calls (`all`). */
export type CallsScope = 'all' | 'mine';

/** What the admin call list is filtered by (see `adminCalls`). */
export interface AdminCallsFilter {
  status?: CallStatus;
  /** created_at range: from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  titleLike?: string;
  userId?: number;
  /** The keyset cursor: the last call of the previous page. */
  before?: { createdAt: Date; id: number };
  limit: number;
}

export interface AdminCallRow {
  call: Call;
  creatorOtoNumber: string | null;
}

/** What the sessions export is filtered by (see `sessionsForExport`). */
export interface SessionsExportFilter {
  /** joined_at range: from inclusive, to exclusive. */
  from?: Date;
  to?: Date;
  callId?: number;
  /** The retention cutoff: sessions of calls that ended before it are outside the window. */
  retainedSince: Date;
}

/** A row of `exportBatchQuery`, as the drivers give it. */
interface ExportRow {
  id: RawId;
  call_id: RawId;
  oto_number: string | null;
  role: CallRole | null;
  joined_at: RawDate;
  left_at: RawDate;
  duration_seconds: RawId | null;
  leave_reason: string | null;
  retained: RawId;
}

/** One batch of the sessions export (see `sessionsForExport`). */
export interface ExportBatch {
  sessions: ExportedSession[];
  /** The batch's last session, retained or not: the keyset cursor for the next batch. */
  last: { joinedAt: Date; id: number } | null;
  full: boolean;
}

export interface ExportedSession {
  id: number;
  callId: number;
  otoNumber: string | null;
  role: CallRole | null;
  joinedAt: Date;
  leftAt: Date | null;
  durationSeconds: number | null;
  leaveReason: string | null;
}

/** A LIKE pattern matching `text` anywhere, with `!` escaping the pattern characters (`ESCAPE '!'`). */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (char) => `!${char}`)}%`;
}

/** A member's open session as an Agora leave notice sees it (see `openStayOfUid`). */
export interface OpenStayOfUid extends Pick<CallSession, 'id' | 'callId' | 'joinedAt' | 'lastClientSeq'> {
  /** When the member's latest earlier session in the call ended; null when they had none. */
  previousLeftAt: Date | null;
}

/** An open session the sweeper may close, with what it knows of the member's presence. */
export type SweepCandidate = Pick<CallSession, 'id' | 'callId' | 'userId' | 'joinedAt' | 'lastSeenAt' | 'tokenExpiresAt'>;

const MEMBER_STATE_SQL = `
  SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status,
         c.is_public AS is_public, c.max_participants AS max_participants, c.recording_id AS recording_id,
         m.role AS role, m.removed_at AS removed_at,
         s.id AS session_id, s.media AS media, s.joined_at AS joined_at, b.uid AS assigned_uid,
         p.user_id AS p_user, p.voice_masking_enabled AS p_voice, p.video_masking_enabled AS p_video,
         p.auto_mute_on_join AS p_mute, p.video_quality AS p_quality, p.preferred_avatar AS p_avatar,
         p.recording_consent AS p_consent
  FROM calls c
  LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ?
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND b.user_id = ? AND b.assigned = 1
  LEFT JOIN call_preferences p ON p.user_id = ?
  WHERE c.id = ?`;

const OPEN_STAY_SQL = `
  SELECT c.id AS call_id, c.recording_id AS recording_id, s.id AS session_id, s.joined_at AS joined_at, g.id AS segment_id, g.media AS media, g.started_at AS started_at
  FROM calls c
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  LEFT JOIN call_media_segments g ON g.session_id = s.id AND g.ended_at IS NULL
  WHERE c.id = ?`;

/** See `openStayOfUid`: the sessions' (call_id, user_id, open) index serves both lookups. */
const OPEN_STAY_OF_UID_SQL = `
  SELECT s.id AS id, s.joined_at AS joined_at, s.last_client_seq AS last_client_seq,
         (SELECT MAX(p.left_at) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.open IS NULL) AS previous_left_at
  FROM call_uid_bindings b
  JOIN call_sessions s ON s.call_id = b.call_id AND s.user_id = b.user_id AND s.open = 1
  WHERE b.call_id = ? AND b.uid = ?`;

/** The token request's one round trip; the uid binding joined is the requested uid's, or the caller's assigned one. */
const tokenAdmissionSql = (byUid: boolean): string => `
  SELECT c.id AS call_id, c.channel_name AS channel_name, c.status AS status, c.is_public AS is_public, s.id AS session_id,
         s.token_expires_at AS token_expires_at, m.role AS role, m.removed_at AS removed_at, m.audio_muted_at AS audio_muted_at,
         m.video_muted_at AS video_muted_at, b.user_id AS bound_user_id, b.uid AS bound_uid
  FROM calls c
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ?
  LEFT JOIN call_uid_bindings b ON b.call_id = c.id AND ${byUid ? 'b.uid = ?' : 'b.user_id = ? AND b.assigned = 1'}
  WHERE c.channel_name = ?`;
const TOKEN_ADMISSION_BY_UID_SQL = tokenAdmissionSql(true);
const TOKEN_ADMISSION_ASSIGNED_SQL = tokenAdmissionSql(false);

// The writes of join and leave, as fixed SQL (see src/database/raw-writes.ts). Table and column
// names are those of the entities; TypeORM's metadata check (migration:generate --check) keeps
// them in step with the schema.
const LOCK_CALL_SQL = 'SELECT id FROM calls WHERE id = ? FOR UPDATE';
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
 * The calls not ended, as a condition an index on (status, ...) can seek: two equalities, where
 * `status <> 'ended'` would walk every call in a created_at range instead.
 */
const LIVE = "IN ('active', 'paused')";

type RawId = number | string;
type RawDate = Date | string | null;

/** Calls whose row lock a transaction (its EntityManager) already holds. */
const heldLocks = new WeakMap<EntityManager, Set<number>>();

/**
 * The SQL for calls, their members, participation sessions and media segments, in one place:
 * the calls, admin, tokens, presence and retention code ask for what they mean here instead of
 * building query fragments of their own. Methods that write take the caller's transaction
 * (`EntityManager` from `TransactionRunner.run`); reads default to the data source.
 *
 * The lock order for every transaction that changes a participation is in ParticipationService.
 */
@Injectable()
export class CallsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- the call's row lock

  /** Takes the call's row lock, once per transaction however often it is asked for (no-op on SQLite). */
  async lockCall(manager: EntityManager, callId: number): Promise<void> {
    if (this.serial(manager)) return;
    const held = heldLocks.get(manager) ?? new Set<number>();
    if (held.has(callId)) return;
    await manager.query(LOCK_CALL_SQL, [callId]);
    held.add(callId);
    heldLocks.set(manager, held);
  }

  /** Records that this transaction holds the call's row lock, taken by a write to the row. */
  noteLocked(manager: EntityManager, callId: number): void {
    if (this.serial(manager)) return;
    heldLocks.set(manager, (heldLocks.get(manager) ?? new Set<number>()).add(callId));
  }

  // ---- calls

  /** A new active call with its creator as host. */
  async insertCall(manager: EntityManager, fields: Pick<Call, 'title' | 'description' | 'channelName' | 'creatorId' | 'isPublic' | 'maxParticipants' | 'createdAt'>): Promise<Call> {
    const call = manager.create(Call, { ...fields, status: 'active', activeParticipants: 0, peakParticipants: 0, endedAt: null, endedBy: null, analyticsState: null, recordingId: null });
    await manager.insert(Call, call);
    await manager.insert(CallMember, { callId: call.id, userId: fields.creatorId, role: 'host', createdAt: fields.createdAt, removedAt: null });
    return call;
  }

  findCall(callId: number): Promise<Call | null> {
    return this.dataSource.getRepository(Call).findOne({ where: { id: callId } });
  }

  /**
   * Calls a member can access, newest first, with their role in each: those they belong to
   * (created, invited, took part) and, with scope `all`, every public call that is active or
   * paused (role null where they have no place).
   */
  async callsOfMember(userId: number, status: CallStatus | undefined, limit: number, scope: CallsScope = 'mine'): Promise<Array<{ call: Call; role: CallRole | null }>> {
    const builder = this.dataSource
      .getRepository(Call)
      .createQueryBuilder('call')
      .addSelect('member.role', 'member_role')
      .orderBy('call.created_at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .limit(limit);
    if (scope === 'mine') builder.innerJoin(CallMember, 'member', 'member.call_id = call.id AND member.user_id = :userId', { userId });
    else {
      builder
        .leftJoin(CallMember, 'member', 'member.call_id = call.id AND member.user_id = :userId', { userId })
        .where(new Brackets((q) => q.where('member.id IS NOT NULL').orWhere(`(call.is_public = 1 AND call.status ${LIVE})`)));
    }
    if (status) builder.andWhere('call.status = :status', { status });
    const { entities, raw } = await builder.getRawAndEntities<{ member_role: CallRole | null }>();
    return entities.map((call, index) => ({ call, role: raw[index].member_role ?? null }));
  }

  /** The whole call row, under the call's row lock (taken here, and noted for the transaction). */
  async lockedCall(manager: EntityManager, callId: number): Promise<Call | null> {
    const query = manager.createQueryBuilder(Call, 'call').where('call.id = :callId', { callId });
    if (!this.serial(manager)) query.setLock('pessimistic_write');
    const call = await query.getOne();
    if (call) this.noteLocked(manager, callId);
    return call;
  }

  /** Pauses or resumes a call that has not ended. */
  async setStatus(manager: EntityManager, callId: number, status: 'active' | 'paused'): Promise<void> {
    await manager.createQueryBuilder().update(Call).set({ status }).where("id = :callId AND status <> 'ended'", { callId }).execute();
  }

  /** Changes what a host may edit on a call. */
  async updateCall(manager: EntityManager, callId: number, fields: Partial<Pick<Call, 'title' | 'description' | 'isPublic' | 'maxParticipants'>>): Promise<void> {
    if (Object.keys(fields).length === 0) return;
    await manager.update(Call, { id: callId }, fields);
  }

  /**
   * Takes one slot of the call's live head count if it is active and not full: one conditional
   * UPDATE, atomic on both databases, which also takes the call's row lock when it matches.
   */
  async reserveSlot(manager: EntityManager, callId: number): Promise<boolean> {
    if ((await execute(manager, RESERVE_SLOT_SQL, [callId])) === 0) return false;
    this.noteLocked(manager, callId);
    return true;
  }

  /** Gives a slot back (a session closed). */
  async releaseSlot(manager: EntityManager, callId: number): Promise<void> {
    await execute(manager, RELEASE_SLOT_SQL, [callId]);
  }

  /** Marks a call ended unless it already is (`onlyIfEmpty`: and nobody is in it). False when nothing changed. */
  async markEnded(manager: EntityManager, callId: number, endedAt: Date, endedBy: Call['endedBy'], onlyIfEmpty: boolean): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Call)
      .set({ status: 'ended', endedAt, endedBy })
      .where(`id = :callId AND status <> 'ended'${onlyIfEmpty ? ' AND active_participants = 0' : ''}`, { callId })
      .execute();
    if (!result.affected) return false;
    this.noteLocked(manager, callId);
    return true;
  }

  /** The call that owns a channel, matched exactly (see `isSameChannel`), unless it has ended. */
  async liveCallByChannel(manager: EntityManager, channelName: string): Promise<Pick<Call, 'id' | 'channelName'> | null> {
    const call = await manager.findOne(Call, { where: { channelName }, select: { id: true, status: true, channelName: true } });
    return call && call.status !== 'ended' && isSameChannel(call.channelName, channelName) ? call : null;
  }

  /** Calls not ended, with nobody in them and nobody leaving since `cutoff`, created before it. */
  idleCalls(cutoff: Date, limit: number): Promise<Array<Pick<Call, 'id' | 'createdAt'>>> {
    return this.dataSource
      .getRepository(Call)
      .createQueryBuilder('c')
      .select(['c.id', 'c.createdAt'])
      .where(`c.status ${LIVE} AND c.active_participants = 0 AND c.created_at < :cutoff`, { cutoff })
      .andWhere('NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = c.id AND (s.open = 1 OR s.left_at >= :cutoff))', { cutoff })
      .take(limit)
      .getMany();
  }

  callExists(callId: number): Promise<boolean> {
    return this.dataSource.getRepository(Call).exists({ where: { id: callId } });
  }

  /** When the call's last session closed; null when nobody ever joined. */
  async lastLeftAt(callId: number): Promise<Date | null> {
    const last = await this.dataSource.getRepository(CallSession).findOne({ where: { callId }, order: { leftAt: 'DESC' }, select: { id: true, leftAt: true } });
    return last?.leftAt ?? null;
  }

  /** Channel names of calls, by id. */
  async channelNames(callIds: number[]): Promise<Map<number, string>> {
    if (callIds.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(Call).find({ where: { id: In(callIds) }, select: { id: true, channelName: true } });
    return new Map(rows.map((row) => [row.id, row.channelName]));
  }

  // ---- the call's recording (one at a time; the recording rows themselves: RecordingsRepository)

  /**
   * Points the call at a new recording unless one is running or the call has ended: one
   * conditional UPDATE, which takes (or, under `lockedCall`, keeps) the call's row lock, so two
   * starts on any number of instances cannot both win. False when nothing changed.
   */
  async claimRecording(manager: EntityManager, callId: number, recordingId: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Call)
      .set({ recordingId })
      .where("id = :callId AND recording_id IS NULL AND status <> 'ended'", { callId })
      .execute();
    if (!result.affected) return false;
    this.noteLocked(manager, callId);
    return true;
  }

  /** Frees the call for another recording, if it still points at this one. */
  async releaseRecording(manager: EntityManager, callId: number, recordingId: number): Promise<void> {
    await manager.createQueryBuilder().update(Call).set({ recordingId: null }).where('id = :callId AND recording_id = :recordingId', { callId, recordingId }).execute();
  }

  /**
   * The uids a recording of the call may subscribe to: every uid bound to a member who is in the
   * call now (an open session) and has consented to recording, ascending. The service's own uids
   * never appear (no member can hold one).
   */
  async consentingUids(manager: EntityManager, callId: number): Promise<number[]> {
    const rows: Array<{ uid: RawId }> = await manager.query(
      `SELECT DISTINCT b.uid AS uid
       FROM call_sessions s
       JOIN call_preferences p ON p.user_id = s.user_id AND p.recording_consent = 1
       JOIN call_uid_bindings b ON b.call_id = s.call_id AND b.user_id = s.user_id
       WHERE s.call_id = ? AND s.open = 1
       ORDER BY b.uid`,
      [callId],
    );
    return rows.map((row) => toInt(row.uid)!);
  }

  /** The running recordings of the calls a member is in now (an open session). */
  async runningRecordingsOf(userId: number): Promise<Array<{ callId: number; recordingId: number }>> {
    const rows: Array<{ call_id: RawId; recording_id: RawId }> = await this.dataSource.query(
      `SELECT c.id AS call_id, c.recording_id AS recording_id FROM call_sessions s JOIN calls c ON c.id = s.call_id
       WHERE s.user_id = ? AND s.open = 1 AND c.recording_id IS NOT NULL`,
      [userId],
    );
    return rows.map((row) => ({ callId: toInt(row.call_id)!, recordingId: toInt(row.recording_id)! }));
  }

  /** The calls' channel, status and running recording, by id (for the recording jobs). */
  async recordingStateOf(manager: EntityManager, callId: number): Promise<Pick<Call, 'id' | 'status' | 'recordingId' | 'channelName'> | null> {
    return manager.findOne(Call, { where: { id: callId }, select: { id: true, status: true, recordingId: true, channelName: true } });
  }

  // ---- members and their sessions

  /**
   * The call, the member's row in it and their open session, in one round trip. Inside a
   * transaction that holds the call's lock this is the state every rule may rely on.
   */
  async memberState(manager: EntityManager, callId: number, userId: number): Promise<MemberState | null> {
    const rows: Array<{
      call_id: RawId;
      title: string;
      channel_name: string;
      status: CallStatus;
      is_public: number | boolean;
      max_participants: RawId;
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
      recording_id: RawId | null;
      assigned_uid: RawId | null;
    }> = await manager.query(MEMBER_STATE_SQL, [userId, userId, userId, userId, callId]);
    const row = rows[0];
    if (!row) return null;
    return {
      call: {
        id: toInt(row.call_id)!,
        title: row.title,
        channelName: row.channel_name,
        status: row.status,
        isPublic: Boolean(Number(row.is_public)),
        maxParticipants: toInt(row.max_participants)!,
        recordingId: toInt(row.recording_id),
      },
      member: row.role === null ? null : { role: row.role, removed: row.removed_at !== null },
      open: row.session_id === null ? null : { id: toInt(row.session_id)!, callId, media: row.media!, joinedAt: toDate(row.joined_at)! },
      assignedUid: toInt(row.assigned_uid),
      preferences: toMasking(
        row.p_user === null
          ? null
          : {
              voiceMaskingEnabled: Boolean(Number(row.p_voice)),
              videoMaskingEnabled: Boolean(Number(row.p_video)),
              autoMuteOnJoin: Boolean(Number(row.p_mute)),
              videoQuality: row.p_quality as CallPreference['videoQuality'],
              preferredAvatar: row.p_avatar,
            },
      ),
      recordingConsent: row.p_user !== null && Boolean(Number(row.p_consent)),
    };
  }

  /**
   * Takes the call's row lock and reads the member's open session with its open media segment,
   * in one round trip (the lock covers the rows read: call, session, segment). Null when the
   * member has no open session.
   */
  async openSessionForUpdate(manager: EntityManager, callId: number, userId: number): Promise<OpenStay | null> {
    const serial = this.serial(manager);
    const rows: Array<{ recording_id: RawId | null; session_id: RawId | null; joined_at: RawDate; segment_id: RawId | null; media: CallMedia | null; started_at: RawDate }> = await manager.query(
      serial ? OPEN_STAY_SQL : `${OPEN_STAY_SQL} FOR UPDATE`,
      [userId, callId],
    );
    if (rows.length > 0) this.noteLocked(manager, callId);
    const row = rows[0];
    if (!row || row.session_id === null) return null;
    return {
      session: { id: toInt(row.session_id)!, callId, joinedAt: toDate(row.joined_at)! },
      segment: row.segment_id === null ? null : { id: toInt(row.segment_id)!, media: row.media!, startedAt: toDate(row.started_at)! },
      recordingId: toInt(row.recording_id),
    };
  }

  /**
   * Everything a token request is admitted on, fresh from the database in one indexed round trip.
   * With a `uid`, who that uid is bound to in the call; without, the caller's assigned uid.
   */
  async tokenAdmission(channelName: string, userId: number, uid: number | undefined): Promise<TokenAdmission | null> {
    const rows: Array<{
      call_id: RawId;
      channel_name: string;
      status: CallStatus;
      is_public: number | boolean;
      session_id: RawId | null;
      token_expires_at: RawDate;
      role: CallRole | null;
      removed_at: RawDate;
      audio_muted_at: RawDate;
      video_muted_at: RawDate;
      bound_user_id: RawId | null;
      bound_uid: RawId | null;
    }> =
      uid === undefined
        ? await this.dataSource.query(TOKEN_ADMISSION_ASSIGNED_SQL, [userId, userId, userId, channelName])
        : await this.dataSource.query(TOKEN_ADMISSION_BY_UID_SQL, [userId, userId, uid, channelName]);
    const row = rows[0];
    if (!row || !isSameChannel(row.channel_name, channelName)) return null;
    return {
      callId: toInt(row.call_id)!,
      channelName: row.channel_name,
      status: row.status,
      isPublic: Boolean(Number(row.is_public)),
      sessionId: toInt(row.session_id),
      tokenExpiresAt: toDate(row.token_expires_at),
      member: row.role === null ? null : { removed: row.removed_at !== null },
      muted: { audio: row.audio_muted_at !== null, video: row.video_muted_at !== null },
      boundUserId: toInt(row.bound_user_id),
      uid: uid ?? toInt(row.bound_uid),
    };
  }

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

  /** The member's row in a call, read in the caller's transaction. */
  memberRow(manager: EntityManager, callId: number, userId: number): Promise<CallMember | null> {
    return manager.findOne(CallMember, { where: { callId, userId } });
  }

  async setRole(manager: EntityManager, memberId: number, role: CallRole): Promise<void> {
    await manager.update(CallMember, { id: memberId }, { role });
  }

  /** Sets or clears a member's mute flags (undefined leaves one as it is). */
  async setMuted(manager: EntityManager, memberId: number, flags: Partial<Pick<CallMember, 'audioMutedAt' | 'videoMutedAt'>>): Promise<void> {
    if (Object.keys(flags).length === 0) return;
    await manager.update(CallMember, { id: memberId }, flags);
  }

  findMember(callId: number, userId: number): Promise<CallMember | null> {
    return this.dataSource.getRepository(CallMember).findOne({ where: { callId, userId } });
  }

  /** Which of these users are members of the call already. */
  async membersAmong(manager: EntityManager, callId: number, userIds: number[]): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const rows = await manager.find(CallMember, { where: { callId, userId: In(userIds) }, select: { userId: true } });
    return new Set(rows.map((row) => row.userId));
  }

  /** Adds members (participants), skipping any who became members meanwhile. */
  async addMembers(manager: EntityManager, callId: number, userIds: number[], at: Date): Promise<void> {
    if (userIds.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(CallMember)
      .values(userIds.map((userId) => ({ callId, userId, role: 'participant' as const, createdAt: at, removedAt: null })))
      .orIgnore()
      .execute();
  }

  /** Members' roles and mute flags in a call. */
  async memberViews(callId: number, userIds: number[]): Promise<Map<number, MemberView>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(CallMember)
      .find({ where: { callId, userId: In(userIds) }, select: { userId: true, role: true, audioMutedAt: true, videoMutedAt: true } });
    return new Map(rows.map((row) => [row.userId, { role: row.role, audioMuted: row.audioMutedAt !== null, videoMuted: row.videoMutedAt !== null }]));
  }

  /** Adds a member to a call (participant) unless they already are one. */
  async addMember(manager: EntityManager, callId: number, userId: number, at: Date): Promise<void> {
    await INSERT_MEMBER.run(manager, { callId, userId, role: 'participant', createdAt: at, removedAt: null });
  }

  /** Bars a member from a call (they may not rejoin nor get a token), adding the row if they had none. */
  async markRemoved(manager: EntityManager, callId: number, userId: number, at: Date): Promise<void> {
    const member = await manager.findOne(CallMember, { where: { callId, userId } });
    if (!member) await manager.insert(CallMember, { callId, userId, role: 'participant', createdAt: at, removedAt: at });
    else if (!member.removedAt) await manager.update(CallMember, { id: member.id }, { removedAt: at });
  }

  /** Whether the member ever had a session in the call. */
  tookPart(callId: number, userId: number, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return manager.getRepository(CallSession).exists({ where: { callId, userId } });
  }

  /**
   * Who belongs to these calls now (not removed), by call; `among`: only these users (those with
   * an open event stream here). For the member event streams.
   */
  async currentMembersOf(callIds: number[], among?: number[]): Promise<Map<number, Set<number>>> {
    const members = new Map<number, Set<number>>();
    if (callIds.length === 0 || (among && among.length === 0)) return members;
    const query = this.dataSource
      .getRepository(CallMember)
      .createQueryBuilder('m')
      .select(['m.callId', 'm.userId'])
      .where('m.call_id IN (:...callIds) AND m.removed_at IS NULL', { callIds: [...new Set(callIds)] });
    if (among) query.andWhere('m.user_id IN (:...among)', { among: [...new Set(among)] });
    for (const row of await query.getMany()) members.set(row.callId, (members.get(row.callId) ?? new Set<number>()).add(row.userId));
    return members;
  }

  // ---- sessions

  findOpenSession(manager: EntityManager, callId: number, userId: number): Promise<CallSession | null> {
    return manager.findOne(CallSession, { where: { callId, userId, open: OPEN } });
  }

  openSessionsOf(manager: EntityManager, callId: number): Promise<Array<Pick<CallSession, 'id' | 'callId' | 'joinedAt'>>> {
    return manager.find(CallSession, { where: { callId, open: OPEN }, select: { id: true, callId: true, joinedAt: true } });
  }

  /** Who is in a call now, earliest first. */
  openSessionsByJoin(callId: number): Promise<CallSession[]> {
    return this.dataSource.getRepository(CallSession).find({ where: { callId, open: OPEN }, order: { joinedAt: 'ASC' } });
  }

  /** Every session of a call, open or closed, earliest first. */
  sessionsOf(callId: number): Promise<CallSession[]> {
    return this.dataSource.getRepository(CallSession).find({ where: { callId }, order: { joinedAt: 'ASC', id: 'ASC' } });
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

  // ---- presence evidence

  /** A heartbeat: the member's open session is seen now and held to the presence timeout. False when none is open. */
  async recordHeartbeat(manager: EntityManager, callId: number, userId: number, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(CallSession)
      .set({ lastSeenAt: at, heartbeatAt: at })
      .where('call_id = :callId AND user_id = :userId AND open = 1', { callId, userId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * A token was issued for the session: its expiry, when later than the one recorded (two
   * requests at once never move it back), and evidence that the member is there.
   */
  async recordToken(manager: EntityManager, sessionId: number, expiresAt: Date, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(CallSession)
      .set({ tokenExpiresAt: expiresAt, lastSeenAt: at })
      .where('id = :id AND open = 1 AND (token_expires_at IS NULL OR token_expires_at < :expiresAt)', { id: sessionId, expiresAt })
      .execute();
  }

  /** Agora's channel user list showed these sessions' members in the channel. */
  async markSeen(manager: EntityManager, sessionIds: number[], at: Date): Promise<void> {
    if (sessionIds.length === 0) return;
    await manager
      .createQueryBuilder()
      .update(CallSession)
      .set({ lastSeenAt: at })
      .where('id IN (:...ids) AND open = 1 AND (last_seen_at IS NULL OR last_seen_at < :at)', { ids: sessionIds, at })
      .execute();
  }

  /** An Agora join notice put the member in the channel at `at`. */
  async recordAgoraJoin(manager: EntityManager, sessionId: number, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(CallSession)
      .set({ lastSeenAt: () => 'CASE WHEN last_seen_at IS NULL OR last_seen_at < :at THEN :at ELSE last_seen_at END', agoraJoinedAt: () => 'COALESCE(agora_joined_at, :at)' })
      .setParameter('at', at)
      .where('id = :id AND open = 1', { id: sessionId })
      .execute();
  }

  /**
   * Stores an Agora `clientSeq` on the open session when it is newer than the one stored (or none
   * is), in one conditional UPDATE that locks the row; false when this event is not newer.
   */
  async claimSequence(manager: EntityManager, sessionId: number, clientSeq: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(CallSession)
      .set({ lastClientSeq: clientSeq })
      .where('id = :id AND open = 1 AND (last_client_seq IS NULL OR last_client_seq < :clientSeq)', { id: sessionId, clientSeq })
      .execute();
    return result.affected === 1;
  }

  /**
   * The open session of the member bound to `uid` in a call, with what an Agora leave notice is
   * weighed against (see `AgoraWebhooksService`): the clientSeq applied to it, and when the
   * member's latest earlier session in the call ended (null when they had none). One round trip.
   */
  async openStayOfUid(manager: EntityManager, callId: number, uid: number): Promise<OpenStayOfUid | null> {
    const rows: Array<{ id: RawId; joined_at: RawDate; last_client_seq: RawId | null; previous_left_at: RawDate }> = await manager.query(OPEN_STAY_OF_UID_SQL, [callId, uid]);
    const row = rows[0];
    if (!row) return null;
    return {
      id: toInt(row.id)!,
      callId,
      joinedAt: toDate(row.joined_at)!,
      lastClientSeq: row.last_client_seq === null ? null : Number(row.last_client_seq),
      previousLeftAt: toDate(row.previous_left_at),
    };
  }

  /** The open session of the member bound to `uid` in a call, if any. */
  async openSessionOfUid(manager: EntityManager, callId: number, uid: number): Promise<Pick<CallSession, 'id' | 'callId' | 'joinedAt'> | null> {
    const binding = await manager.findOne(UidBinding, { where: { callId, uid }, select: { id: true, userId: true } });
    if (!binding) return null;
    return manager.findOne(CallSession, { where: { callId, userId: binding.userId, open: OPEN }, select: { id: true, callId: true, joinedAt: true } });
  }

  /** The Agora publish rules kept for a member's uids in a call, for the given privileges. */
  muteRulesOf(callId: number, userId: number, privileges: MutePrivilege[], manager: EntityManager = this.dataSource.manager): Promise<MuteRule[]> {
    if (privileges.length === 0) return Promise.resolve([]);
    return manager.find(MuteRule, { where: { callId, userId, privilege: In(privileges) } });
  }

  /** Keeps the ids (and ends) of publish rules Agora accepted: every one, so that all can be deleted. */
  async keepMuteRules(manager: EntityManager, rules: Array<Pick<MuteRule, 'callId' | 'userId' | 'uid' | 'privilege' | 'ruleId' | 'createdAt' | 'expiresAt'>>): Promise<void> {
    if (rules.length === 0) return;
    await manager.createQueryBuilder().insert().into(MuteRule).values(rules).updateEntity(false).execute();
  }

  async forgetMuteRules(manager: EntityManager, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.delete(MuteRule, { id: In(ids) });
  }

  /** The uids each member was given tokens for, per call. */
  async uidsOf(callId: number, userIds: number[]): Promise<Map<number, number[]>> {
    const uids = new Map<number, number[]>();
    if (userIds.length === 0) return uids;
    const rows = await this.dataSource.getRepository(UidBinding).find({ where: { callId, userId: In(userIds) }, select: { userId: true, uid: true } });
    for (const row of rows) uids.set(row.userId, [...(uids.get(row.userId) ?? []), row.uid]);
    return uids;
  }

  /**
   * Open sessions with no Agora join notice whose newest evidence is older than `cutoff`: those
   * that opted into heartbeats, or (`silentToo`, when Agora's channel user list can be asked)
   * every such session.
   */
  unconfirmedSince(cutoff: Date, silentToo: boolean, limit: number, afterId: number): Promise<SweepCandidate[]> {
    const query = this.dataSource
      .getRepository(CallSession)
      .createQueryBuilder('s')
      .select(['s.id', 's.callId', 's.userId', 's.joinedAt', 's.lastSeenAt', 's.tokenExpiresAt'])
      .where('s.open = 1 AND s.last_seen_at < :cutoff AND s.agora_joined_at IS NULL AND s.id > :afterId', { cutoff, afterId });
    if (!silentToo) query.andWhere('s.heartbeat_at IS NOT NULL');
    return query.orderBy('s.id', 'ASC').take(limit).getMany();
  }

  /**
   * Open sessions whose newest token has expired (the recorded expiry plus the lag it may have,
   * `TOKEN_EXPIRY_LAG_MS`, is past), or that got none within a token lifetime of joining.
   */
  expiredBy(now: Date, tokenTtlMs: number, limit: number): Promise<SweepCandidate[]> {
    return this.dataSource
      .getRepository(CallSession)
      .createQueryBuilder('s')
      .select(['s.id', 's.callId', 's.userId', 's.joinedAt', 's.lastSeenAt', 's.tokenExpiresAt'])
      .where('s.open = 1')
      .andWhere(
        new Brackets((q) =>
          q.where('s.token_expires_at <= :lagged', { lagged: new Date(now.getTime() - TOKEN_EXPIRY_LAG_MS) }).orWhere('(s.token_expires_at IS NULL AND s.joined_at < :joinedBefore)', { joinedBefore: new Date(now.getTime() - tokenTtlMs) }),
        ),
      )
      .take(limit)
      .getMany();
  }

  // ---- segments

  async openSegment(manager: EntityManager, session: Pick<CallSession, 'id' | 'callId' | 'userId'>, media: CallMedia, at: Date): Promise<void> {
    await INSERT_SEGMENT.run(manager, { sessionId: session.id, callId: session.callId, userId: session.userId, media, startedAt: at, endedAt: null, durationSeconds: null, foldedAt: null });
  }

  findOpenSegment(manager: EntityManager, sessionId: number): Promise<CallMediaSegment | null> {
    return manager.findOne(CallMediaSegment, { where: { sessionId, endedAt: IsNull() } });
  }

  async closeSegmentRow(manager: EntityManager, id: number, endedAt: Date, durationSeconds: number): Promise<void> {
    await execute(manager, CLOSE_SEGMENT_SQL, [persisted(manager, CallMediaSegment, 'endedAt', endedAt), durationSeconds, id]);
  }

  segmentsOf(callId: number): Promise<Array<Pick<CallMediaSegment, 'media' | 'startedAt' | 'endedAt'>>> {
    return this.dataSource.getRepository(CallMediaSegment).find({ where: { callId }, select: { media: true, startedAt: true, endedAt: true } });
  }

  // ---- analytics: the raw rows the rollup has not folded yet (AnalyticsRollup)

  /** Calls whose creation, or end, is not in the aggregates yet (`limit` rows after `afterId`; all without a limit). */
  async unfoldedCalls(manager: EntityManager, afterId = 0, limit?: number): Promise<UnfoldedCall[]> {
    const rows: Array<{ id: RawId; created_at: RawDate; ended_at: RawDate; peak_participants: RawId; analytics_state: RawId | null }> = await manager.query(
      `SELECT id, created_at, ended_at, peak_participants, analytics_state FROM calls
       WHERE (analytics_state IS NULL OR (analytics_state = 1 AND ended_at IS NOT NULL)) AND id > ? ORDER BY id${limit ? ' LIMIT ?' : ''}`,
      limit ? [afterId, limit] : [afterId],
    );
    return rows.map((row) => ({
      id: toInt(row.id)!,
      createdAt: toDate(row.created_at)!,
      endedAt: toDate(row.ended_at),
      peakParticipants: toInt(row.peak_participants)!,
      state: toInt(row.analytics_state) as UnfoldedCall['state'],
    }));
  }

  /**
   * Sessions not in the aggregates yet, each saying whether it is the member's first session in
   * its call (which makes them a participant of the call, counted on the day of that join).
   */
  async unfoldedSessions(manager: EntityManager, afterId = 0, limit?: number): Promise<UnfoldedSession[]> {
    const rows: Array<{ id: RawId; user_id: RawId; joined_at: RawDate; earlier: RawId }> = await manager.query(
      `SELECT s.id, s.user_id, s.joined_at,
              (SELECT COUNT(*) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.id < s.id) AS earlier
       FROM call_sessions s WHERE s.folded_at IS NULL AND s.id > ? ORDER BY s.id${limit ? ' LIMIT ?' : ''}`,
      limit ? [afterId, limit] : [afterId],
    );
    return rows.map((row) => ({ id: toInt(row.id)!, userId: toInt(row.user_id)!, joinedAt: toDate(row.joined_at)!, first: toInt(row.earlier) === 0 }));
  }

  /** Closed media segments not in the aggregates yet (open ones count once they close). */
  async unfoldedSegments(manager: EntityManager, afterId = 0, limit?: number): Promise<UnfoldedSegment[]> {
    const rows: Array<{ id: RawId; media: CallMedia; started_at: RawDate; ended_at: RawDate }> = await manager.query(
      `SELECT id, media, started_at, ended_at FROM call_media_segments
       WHERE folded_at IS NULL AND ended_at IS NOT NULL AND id > ? ORDER BY id${limit ? ' LIMIT ?' : ''}`,
      limit ? [afterId, limit] : [afterId],
    );
    return rows.map((row) => ({ id: toInt(row.id)!, media: row.media, startedAt: toDate(row.started_at)!, endedAt: toDate(row.ended_at)! }));
  }

  /**
   * Marks rows folded, only where they were not: the number marked, so a fold that raced
   * another fold over the same rows can tell and roll back instead of counting them twice.
   */
  async markFolded(manager: EntityManager, kind: 'sessions' | 'segments', ids: number[], at: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const entity = kind === 'sessions' ? CallSession : CallMediaSegment;
    const result = await manager.createQueryBuilder().update(entity).set({ foldedAt: at }).where('id IN (:...ids) AND folded_at IS NULL', { ids }).execute();
    return result.affected ?? 0;
  }

  /** Moves calls' analytics state from what the fold read to what it folded (see `markFolded`). */
  async markCallsFolded(manager: EntityManager, calls: Array<Pick<UnfoldedCall, 'id' | 'state' | 'endedAt'>>): Promise<number> {
    let marked = 0;
    for (const from of [null, 1] as const) {
      for (const to of [1, 2] as const) {
        const ids = calls.filter((c) => c.state === from && (c.endedAt ? 2 : 1) === to && to !== from).map((c) => c.id);
        if (ids.length === 0) continue;
        const was = from === null ? 'analytics_state IS NULL' : 'analytics_state = 1';
        const result = await manager.createQueryBuilder().update(Call).set({ analyticsState: to }).where(`id IN (:...ids) AND ${was}`, { ids }).execute();
        marked += result.affected ?? 0;
      }
    }
    return marked;
  }

  /** Calls not ended, created in [from, to): their peaks so far are not in the aggregates yet. */
  async livePeaks(from: Date, to: Date, manager: EntityManager = this.dataSource.manager): Promise<Array<{ createdAt: Date; peakParticipants: number }>> {
    const rows = await manager
      .getRepository(Call)
      .createQueryBuilder('call')
      .select(['call.createdAt', 'call.peakParticipants'])
      .where(`call.status ${LIVE}`)
      .andWhere('call.created_at >= :from AND call.created_at < :to', { from, to })
      .getMany();
    return rows.map((row) => ({ createdAt: row.createdAt, peakParticipants: row.peakParticipants }));
  }

  // ---- admin console (read-only views over every call)

  /**
   * A page of calls, newest first (created_at DESC, id DESC), after the keyset cursor: walks
   * (created_at, id), or (status, created_at) with a status, so a page costs its own rows.
   * `userId`: only calls the member had a session in (through sessions' (user_id, call_id)).
   * `titleLike`: a LIKE pattern with `!` as its escape character (see `likePattern`).
   */
  async adminCalls(filter: AdminCallsFilter): Promise<AdminCallRow[]> {
    const { entities, raw } = await this.adminCallsQuery(filter).getRawAndEntities<{ creator_oto_number: string | null }>();
    return entities.map((call, index) => ({ call, creatorOtoNumber: raw[index].creator_oto_number ?? null }));
  }

  /** The query behind `adminCalls` (its test EXPLAINs it on MariaDB). */
  adminCallsQuery(filter: AdminCallsFilter): SelectQueryBuilder<Call> {
    const query = this.dataSource
      .getRepository(Call)
      .createQueryBuilder('call')
      .leftJoin(User, 'creator', 'creator.id = call.creator_id')
      .addSelect('creator.oto_number', 'creator_oto_number')
      .orderBy('call.created_at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .limit(filter.limit);
    if (filter.status) query.andWhere('call.status = :status', { status: filter.status });
    if (filter.from) query.andWhere('call.created_at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('call.created_at < :to', { to: filter.to });
    if (filter.titleLike !== undefined) query.andWhere("call.title LIKE :title ESCAPE '!'", { title: filter.titleLike });
    if (filter.userId !== undefined) query.andWhere('call.id IN (SELECT s.call_id FROM call_sessions s WHERE s.user_id = :userId)', { userId: filter.userId });
    if (filter.before) {
      // The first condition is a plain range on the index; the second breaks ties on the id.
      query
        .andWhere('call.created_at <= :beforeAt', { beforeAt: filter.before.createdAt })
        .andWhere('(call.created_at < :beforeAt OR call.id < :beforeId)', { beforeId: filter.before.id });
    }
    return query;
  }

  /** What is live now: calls active and paused and the members in them (from the calls' live counts). */
  async liveCounts(manager: EntityManager = this.dataSource.manager): Promise<{ active: number; paused: number; activeParticipants: number; pausedParticipants: number }> {
    const rows: Array<{ status: CallStatus; calls: RawId; participants: RawId | null }> = await manager
      .getRepository(Call)
      .createQueryBuilder('call')
      .select('call.status', 'status')
      .addSelect('COUNT(*)', 'calls')
      .addSelect('SUM(call.active_participants)', 'participants')
      .where(`call.status ${LIVE}`)
      .groupBy('call.status')
      .getRawMany();
    const of = (status: CallStatus) => rows.find((row) => row.status === status);
    return {
      active: toInt(of('active')?.calls ?? 0)!,
      paused: toInt(of('paused')?.calls ?? 0)!,
      activeParticipants: toInt(of('active')?.participants ?? 0)!,
      pausedParticipants: toInt(of('paused')?.participants ?? 0)!,
    };
  }

  /** The live calls with the most members in them now (most first, then newest). */
  busiestLiveCalls(limit: number, manager: EntityManager = this.dataSource.manager): Promise<Call[]> {
    return manager
      .getRepository(Call)
      .createQueryBuilder('call')
      .where(`call.status ${LIVE}`)
      .orderBy('call.active_participants', 'DESC')
      .addOrderBy('call.created_at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** Sessions opened at or after `since` (every 2xx first join opens one: the joins). */
  sessionsJoinedSince(since: Date, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.getRepository(CallSession).createQueryBuilder('s').where('s.joined_at >= :since', { since }).getCount();
  }

  /**
   * Sessions whose newest token expires after `expiresAfter`: with the token lifetime
   * subtracted, those issued a token since then. A session counts once however many tokens it
   * renewed (the token path stores only the newest expiry, and a renewal within
   * `TOKEN_EXPIRY_LAG_MS` of it not even that).
   */
  sessionsWithTokenExpiringAfter(expiresAfter: Date, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.getRepository(CallSession).createQueryBuilder('s').where('s.token_expires_at > :expiresAfter', { expiresAfter }).getCount();
  }

  /**
   * One batch of participation sessions for the CSV export: the next `limit` sessions joined in
   * [from, to) in (joined_at, id) order after the keyset cursor, with the member's OTO# number
   * and role. The batch is picked first on its own (a derived table with its LIMIT, walking the
   * joined_at index), and only its rows are joined to calls, users and members: joined directly,
   * MariaDB would rather scan the calls and sort every session per batch.
   *
   * `sessions` keeps only those still inside the retention window (calls not ended, or ended at
   * or after `retainedSince`: what the retention job has not deleted, or not yet); `last` is the
   * batch's last row either way, the cursor for the next one, and `full` whether there may be more.
   */
  async sessionsForExport(filter: SessionsExportFilter, after: { joinedAt: Date; id: number } | null, limit: number): Promise<ExportBatch> {
    const rows: ExportRow[] = await this.exportBatchQuery(filter, after, limit).getRawMany();
    const sessions = rows.map((row) => ({
      id: toInt(row.id)!,
      callId: toInt(row.call_id)!,
      otoNumber: row.oto_number,
      role: row.role,
      joinedAt: toDate(row.joined_at)!,
      leftAt: toDate(row.left_at),
      durationSeconds: toInt(row.duration_seconds),
      leaveReason: row.leave_reason,
      retained: toInt(row.retained) === 1,
    }));
    const last = sessions[sessions.length - 1];
    return {
      sessions: sessions.filter((session) => session.retained).map(({ retained: _retained, ...session }) => session),
      last: last ? { joinedAt: last.joinedAt, id: last.id } : null,
      full: rows.length === limit,
    };
  }

  /** The query behind one `sessionsForExport` batch (its test EXPLAINs it on MariaDB). */
  exportBatchQuery(filter: SessionsExportFilter, after: { joinedAt: Date; id: number } | null, limit: number): SelectQueryBuilder<ObjectLiteral> {
    return this.dataSource
      .createQueryBuilder()
      .select(['b.id AS id', 'b.call_id AS call_id', 'u.oto_number AS oto_number', 'm.role AS role', 'b.joined_at AS joined_at', 'b.left_at AS left_at'])
      .addSelect(['b.duration_seconds AS duration_seconds', 'b.leave_reason AS leave_reason'])
      .addSelect('CASE WHEN c.ended_at IS NULL OR c.ended_at >= :retainedSince THEN 1 ELSE 0 END', 'retained')
      .from((batch) => {
        batch
          .select(['s.id AS id', 's.call_id AS call_id', 's.user_id AS user_id', 's.joined_at AS joined_at', 's.left_at AS left_at', 's.duration_seconds AS duration_seconds', 's.leave_reason AS leave_reason'])
          .from(CallSession, 's')
          .orderBy('s.joined_at', 'ASC')
          .addOrderBy('s.id', 'ASC')
          .limit(limit);
        if (filter.from) batch.andWhere('s.joined_at >= :from', { from: filter.from });
        if (filter.to) batch.andWhere('s.joined_at < :to', { to: filter.to });
        if (filter.callId !== undefined) batch.andWhere('s.call_id = :callId', { callId: filter.callId });
        if (after) batch.andWhere('s.joined_at >= :afterAt', { afterAt: after.joinedAt }).andWhere('(s.joined_at > :afterAt OR s.id > :afterId)', { afterId: after.id });
        return batch;
      }, 'b')
      .leftJoin(Call, 'c', 'c.id = b.call_id')
      .leftJoin(User, 'u', 'u.id = b.user_id')
      .leftJoin(CallMember, 'm', 'm.call_id = b.call_id AND m.user_id = b.user_id')
      .setParameter('retainedSince', filter.retainedSince)
      .orderBy('b.joined_at', 'ASC')
      .addOrderBy('b.id', 'ASC');
  }

  /** The media segments of these sessions (open ones with `endedAt` null). */
  async segmentsOfSessions(sessionIds: number[]): Promise<Array<Pick<CallMediaSegment, 'sessionId' | 'media' | 'startedAt' | 'endedAt'>>> {
    if (sessionIds.length === 0) return [];
    return this.dataSource
      .getRepository(CallMediaSegment)
      .find({ where: { sessionId: In(sessionIds) }, select: { sessionId: true, media: true, startedAt: true, endedAt: true } });
  }

  // ---- direct calls: their ringing

  async insertRing(manager: EntityManager, ring: CallRing): Promise<void> {
    await manager.createQueryBuilder().insert().into(CallRing).values(ring).updateEntity(false).execute();
  }

  /** A direct call's ringing row (in the caller's transaction when given). */
  ringOf(callId: number, manager: EntityManager = this.dataSource.manager): Promise<CallRing | null> {
    return manager.findOne(CallRing, { where: { callId } });
  }

  /** Moves a ring out of `ringing`; false when it was not ringing any more (someone else answered first). */
  async endRinging(manager: EntityManager, callId: number, to: Exclude<RingState, 'ringing'>, at: Date): Promise<boolean> {
    const result = await manager.createQueryBuilder().update(CallRing).set({ state: to, answeredAt: at }).where("call_id = :callId AND state = 'ringing'", { callId }).execute();
    return result.affected === 1;
  }

  /** Direct calls still ringing whose time is up. */
  ringsDue(now: Date, limit: number): Promise<CallRing[]> {
    return this.dataSource.getRepository(CallRing).createQueryBuilder('r').where("r.state = 'ringing' AND r.expires_at <= :now", { now }).orderBy('r.expiresAt', 'ASC').take(limit).getMany();
  }

  // ---- retention

  /**
   * A batch of ended calls whose `ended_at` is before the cutoff, after the cursor in
   * (created_at, id) order. A call ends after it starts, so every such call was created before
   * the cutoff too: the batch walks the (status, created_at) index and filters on `ended_at`.
   */
  endedCallsBefore(manager: EntityManager, cutoff: Date, after: { createdAt: Date; id: number }, limit: number): Promise<Array<Pick<Call, 'id' | 'createdAt'>>> {
    return manager
      .getRepository(Call)
      .createQueryBuilder('c')
      .select(['c.id', 'c.createdAt'])
      .where("c.status = 'ended'")
      .andWhere('c.created_at >= :afterAt AND c.created_at < :cutoff', { afterAt: after.createdAt, cutoff })
      // Never a row analytics has not counted yet.
      .andWhere('c.analytics_state = 2')
      .andWhere('NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = c.id AND s.folded_at IS NULL)')
      .andWhere('NOT EXISTS (SELECT 1 FROM call_media_segments g WHERE g.call_id = c.id AND g.folded_at IS NULL)')
      .andWhere('(c.created_at > :afterAt OR c.id > :afterId)', { afterId: after.id })
      .andWhere('c.ended_at < :cutoff')
      .orderBy('c.createdAt', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Deletes ended calls with every row of theirs, children first. Counts what went. */
  async deleteEndedCalls(manager: EntityManager, ids: number[]): Promise<{ calls: number; sessions: number; segments: number; members: number; bindings: number }> {
    const byCall = async (entity: typeof CallMediaSegment | typeof CallSession | typeof CallMember | typeof UidBinding | typeof MuteRule | typeof CallRing) =>
      (await manager.createQueryBuilder().delete().from(entity).where('call_id IN (:...ids)', { ids }).execute()).affected ?? 0;
    const segments = await byCall(CallMediaSegment);
    const sessions = await byCall(CallSession);
    const members = await byCall(CallMember);
    const bindings = await byCall(UidBinding);
    // Agora's own rules expire with the token lifetime; what is kept of them goes with the call.
    await byCall(MuteRule);
    await byCall(CallRing);
    const calls = (await manager.createQueryBuilder().delete().from(Call).where("id IN (:...ids) AND status = 'ended'", { ids }).execute()).affected ?? 0;
    return { calls, sessions, segments, members, bindings };
  }

  private serial(manager: EntityManager): boolean {
    return manager.connection.options.type === 'better-sqlite3';
  }
}
