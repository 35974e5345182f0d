import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { AnalyticsRecorder } from '../analytics/analytics-recorder.service';
import { toDate, toInt } from '../database/raw-values';
import { CallMediaSegment } from './entities/call-media-segment.entity';
import { CallRole } from './entities/call-member.entity';
import { CallMedia, CallSession } from './entities/call-session.entity';
import { Call, CallStatus } from './entities/call.entity';

/** Whole seconds between two instants, never negative. */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

type SessionRef = Pick<CallSession, 'id' | 'callId' | 'joinedAt'>;

/** A call, one member's row in it and their open session, read together (see `memberState`). */
export interface MemberState {
  call: Pick<Call, 'id' | 'title' | 'channelName' | 'status' | 'isPublic' | 'maxParticipants'>;
  member: { role: CallRole; removed: boolean } | null;
  open: Pick<CallSession, 'id' | 'callId' | 'joinedAt' | 'media'> | null;
}

const MEMBER_STATE_SQL = `
  SELECT c.id AS call_id, c.title AS title, c.channel_name AS channel_name, c.status AS status,
         c.is_public AS is_public, c.max_participants AS max_participants,
         m.role AS role, m.removed_at AS removed_at,
         s.id AS session_id, s.media AS media, s.joined_at AS joined_at
  FROM calls c
  LEFT JOIN call_members m ON m.call_id = c.id AND m.user_id = ?
  LEFT JOIN call_sessions s ON s.call_id = c.id AND s.user_id = ? AND s.open = 1
  WHERE c.id = ?`;

interface MemberStateRow {
  call_id: number | string;
  title: string;
  channel_name: string;
  status: CallStatus;
  is_public: number | boolean;
  max_participants: number | string;
  role: CallRole | null;
  removed_at: Date | string | null;
  session_id: number | string | null;
  media: CallMedia | null;
  joined_at: Date | string | null;
}

/** Calls whose row lock a transaction (its EntityManager) already holds. */
const heldLocks = new WeakMap<EntityManager, Set<number>>();

/**
 * Participation sessions and their media segments, the one place that knows what opening,
 * switching and closing mean. Every method runs inside the caller's transaction and keeps the
 * call's live head count and the per-day aggregates in step.
 *
 * The lock order, for every transaction that changes a participation (join, leave, media
 * switch, removal, end, the sweeper, Agora webhooks): the call's row first, then its members,
 * sessions, segments, and last the aggregates. Whoever holds the call's row lock is the only
 * writer of that call's participation, so what it reads after taking the lock stays true until
 * it commits: read the member's state only after `lockCall` (or join's slot UPDATE, which takes
 * the same lock). On SQLite transactions already run one at a time.
 */
@Injectable()
export class ParticipationService {
  constructor(private readonly analytics: AnalyticsRecorder) {}

  /** Opens a session and its first media segment. The caller has already reserved the slot. */
  async open(manager: EntityManager, callId: number, userId: number, media: CallMedia, at: Date): Promise<CallSession> {
    const session = manager.create(CallSession, {
      callId,
      userId,
      media,
      open: 1,
      joinedAt: at,
      leftAt: null,
      durationSeconds: null,
      leaveReason: null,
      lastSeenAt: at,
      tokenExpiresAt: null,
      lastClientSeq: null,
      heartbeatAt: null,
      agoraJoinedAt: null,
    });
    await manager.insert(CallSession, session);
    await manager.insert(CallMediaSegment, { sessionId: session.id, callId, userId, media, startedAt: at, endedAt: null, durationSeconds: null });
    await this.analytics.memberJoined(manager, userId, at);
    return session;
  }

  /**
   * Moves the member's open session to another medium: the current segment closes, a new one
   * opens. Takes the call's lock first, so a concurrent leave, removal or end either closed the
   * session before (false: nothing changes) or waits for this switch to commit.
   */
  async switchMedia(manager: EntityManager, callId: number, userId: number, media: CallMedia, at: Date): Promise<boolean> {
    await this.lockCall(manager, callId);
    const session = await this.findOpen(manager, callId, userId);
    if (!session) return false;
    if (session.media === media) return true;
    await manager.update(CallSession, { id: session.id }, { media });
    await this.closeSegment(manager, session.id, at);
    await manager.insert(CallMediaSegment, { sessionId: session.id, callId, userId, media, startedAt: at, endedAt: null, durationSeconds: null });
    return true;
  }

  /**
   * Closes one open session at `at`. Returns false when it was already closed (someone else
   * got there first), in which case nothing changes.
   */
  async close(manager: EntityManager, session: SessionRef, at: Date, reason: string): Promise<boolean> {
    await this.lockCall(manager, session.callId);
    const leftAt = at < session.joinedAt ? session.joinedAt : at;
    const result = await manager
      .createQueryBuilder()
      .update(CallSession)
      .set({ open: null, leftAt, durationSeconds: secondsBetween(session.joinedAt, leftAt), leaveReason: reason })
      .where('id = :id AND open = 1', { id: session.id })
      .execute();
    if (!result.affected) return false;
    await manager
      .createQueryBuilder()
      .update(Call)
      .set({ activeParticipants: () => 'active_participants - 1' })
      .where('id = :id AND active_participants > 0', { id: session.callId })
      .execute();
    await this.closeSegment(manager, session.id, leftAt);
    return true;
  }

  /** Closes every open session of a call (the call ended). Returns how many were closed. */
  async closeAllInCall(manager: EntityManager, callId: number, at: Date, reason: string): Promise<number> {
    await this.lockCall(manager, callId);
    const open = await manager.find(CallSession, { where: { callId, open: 1 }, select: { id: true, callId: true, joinedAt: true } });
    let closed = 0;
    for (const session of open) if (await this.close(manager, session, at, reason)) closed += 1;
    return closed;
  }

  /**
   * Takes the call's row lock (see the lock order above); once per transaction, however often
   * it is asked for. On SQLite transactions are already one at a time.
   */
  async lockCall(manager: EntityManager, callId: number): Promise<void> {
    if (manager.connection.options.type === 'better-sqlite3') return;
    const held = heldLocks.get(manager) ?? new Set<number>();
    if (held.has(callId)) return;
    await manager.createQueryBuilder(Call, 'call').select('call.id').where('call.id = :callId', { callId }).setLock('pessimistic_write').getRawOne();
    held.add(callId);
    heldLocks.set(manager, held);
  }

  /** Records that this transaction holds the call's row lock, taken by a write to the row. */
  noteLocked(manager: EntityManager, callId: number): void {
    if (manager.connection.options.type === 'better-sqlite3') return;
    heldLocks.set(manager, (heldLocks.get(manager) ?? new Set<number>()).add(callId));
  }

  /**
   * The call, the member's row in it and their open session, in one round trip. Inside a
   * transaction that holds the call's lock this is the state every rule may rely on.
   */
  async memberState(manager: EntityManager, callId: number, userId: number): Promise<MemberState | null> {
    const rows: MemberStateRow[] = await manager.query(MEMBER_STATE_SQL, [userId, userId, callId]);
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
      },
      member: row.role === null ? null : { role: row.role, removed: row.removed_at !== null },
      open: row.session_id === null ? null : { id: toInt(row.session_id)!, callId, media: row.media!, joinedAt: toDate(row.joined_at)! },
    };
  }

  /** The member's open session in a call, if any. */
  findOpen(manager: EntityManager, callId: number, userId: number): Promise<CallSession | null> {
    return manager.findOne(CallSession, { where: { callId, userId, open: 1 } });
  }

  private async closeSegment(manager: EntityManager, sessionId: number, at: Date): Promise<void> {
    const segment = await manager.findOne(CallMediaSegment, { where: { sessionId, endedAt: IsNull() } });
    if (!segment) return;
    const endedAt = at < segment.startedAt ? segment.startedAt : at;
    await manager.update(CallMediaSegment, { id: segment.id }, { endedAt, durationSeconds: secondsBetween(segment.startedAt, endedAt) });
    await this.analytics.mediaUsed(manager, segment.id, segment.media, segment.startedAt, endedAt);
  }
}
