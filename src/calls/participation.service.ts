import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { AnalyticsRecorder } from '../analytics/analytics-recorder.service';
import { CallMediaSegment } from './entities/call-media-segment.entity';
import { CallMedia, CallSession } from './entities/call-session.entity';
import { Call } from './entities/call.entity';

/** Whole seconds between two instants, never negative. */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

type SessionRef = Pick<CallSession, 'id' | 'callId' | 'joinedAt'>;

/**
 * Participation sessions and their media segments, the one place that knows what opening,
 * switching and closing mean. Every method runs inside the caller's transaction and keeps the
 * call's live head count and the per-day aggregates in step.
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
    });
    await manager.insert(CallSession, session);
    await manager.insert(CallMediaSegment, { sessionId: session.id, callId, userId, media, startedAt: at, endedAt: null, durationSeconds: null });
    await this.analytics.memberJoined(manager, userId, at);
    return session;
  }

  /** Moves an open session to another medium: the current segment closes, a new one opens. */
  async switchMedia(manager: EntityManager, session: CallSession, media: CallMedia, at: Date): Promise<void> {
    if (session.media === media) return;
    await this.lockCall(manager, session.callId);
    await manager.update(CallSession, { id: session.id, open: 1 }, { media });
    await this.closeSegment(manager, session.id, at);
    await manager.insert(CallMediaSegment, { sessionId: session.id, callId: session.callId, userId: session.userId, media, startedAt: at, endedAt: null, durationSeconds: null });
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
    const open = await manager.find(CallSession, { where: { callId, open: 1 }, select: { id: true, callId: true, joinedAt: true } });
    let closed = 0;
    for (const session of open) if (await this.close(manager, session, at, reason)) closed += 1;
    return closed;
  }

  /**
   * Every transaction that changes a call's participation takes the call's row lock first, then
   * sessions, then segments, then the aggregates: one order everywhere, so MariaDB transactions
   * queue instead of deadlocking (join starts with its conditional UPDATE of the call row). On
   * SQLite transactions are already one at a time.
   */
  async lockCall(manager: EntityManager, callId: number): Promise<void> {
    if (manager.connection.options.type === 'better-sqlite3') return;
    await manager.createQueryBuilder(Call, 'call').select('call.id').where('call.id = :callId', { callId }).setLock('pessimistic_write').getRawOne();
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
