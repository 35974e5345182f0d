import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { scheduleConfig } from '../config/schedule.config';
import { EntityManager } from 'typeorm';
import { DomainException } from '../common/exceptions/domain.exception';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { admissionRefusal, factsOf } from './admission';
import { CallsRepository } from './calls.repository';
import { CallMember, CallRole } from './entities/call-member.entity';
import { CallMedia, CallSession, OPEN } from './entities/call-session.entity';
import { Call } from './entities/call.entity';
import { MemberState, OpenStay, ParticipationRepository } from './participation.repository';

/** Whole seconds between two instants, never negative. */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

type SessionRef = Pick<CallSession, 'id' | 'callId' | 'joinedAt'>;

/** A caller's standing in a call, read under the call's lock (see `standing`). */
export interface Standing {
  call: Call;
  /** The caller's role, null when they have no place (or were removed). */
  role: CallRole | null;
}

/**
 * Participation sessions and their media segments, the one place that knows what opening,
 * switching and closing mean. Every method runs inside the caller's transaction and keeps the
 * call's live head count in step. Nothing here writes analytics: the rollup job folds these
 * rows into the per-day aggregates later (AnalyticsRollup).
 *
 * The lock order, for every transaction that changes a participation (join, leave, media
 * switch, removal, end, the sweeper, Agora webhooks): the call's row first, then its members,
 * sessions, segments, and last the aggregates. Whoever holds the call's row lock is the only
 * writer of that call's participation, so what it reads after taking the lock stays true until
 * it commits: read the member's state only after `lockCall` (or join's `reserveSlot`, which
 * takes the same lock). On SQLite transactions already run one at a time. Other features take the
 * lock and read the state through this service (`lockCall`, `lockedCall`, `standing`,
 * `memberState`), never through the calls feature's repositories.
 */
@Injectable()
export class ParticipationService {
  constructor(
    private readonly repository: ParticipationRepository,
    private readonly calls: CallsRepository,
    private readonly outbox: EventsOutbox,
    @Inject(scheduleConfig.KEY) private readonly schedule: ConfigType<typeof scheduleConfig>,
  ) {}

  // ---- the call's row lock, and what may be read under it

  /** Takes the call's row lock, once per transaction however often it is asked for (no-op on SQLite). */
  lockCall(manager: EntityManager, callId: number): Promise<void> {
    return this.calls.lockCall(manager, callId);
  }

  /** Records that this transaction holds the call's row lock, taken by a write to the call's row. */
  noteLocked(manager: EntityManager, callId: number): void {
    this.calls.noteLocked(manager, callId);
  }

  /** The whole call row, under the call's row lock. */
  lockedCall(manager: EntityManager, callId: number): Promise<Call | null> {
    return this.calls.lockedCall(manager, callId);
  }

  /** The call under its lock and the caller's role in it (null when they have no place or were removed); 404 when the call does not exist. */
  async standing(manager: EntityManager, callId: number, userId: number): Promise<Standing> {
    const call = await this.calls.lockedCall(manager, callId);
    if (!call) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
    const member = await this.calls.memberRow(manager, callId, userId);
    return { call, role: member && !member.removedAt ? member.role : null };
  }

  /** The member's row in a call, read in the caller's transaction (under the call's lock). */
  memberRow(manager: EntityManager, callId: number, userId: number): Promise<CallMember | null> {
    return this.calls.memberRow(manager, callId, userId);
  }

  /** The call, the member's row, open session, assigned uid and preferences, in one round trip (see ParticipationRepository). */
  memberState(manager: EntityManager, callId: number, userId: number): Promise<MemberState | null> {
    return this.repository.memberState(manager, callId, userId);
  }

  /** The call's open sessions. */
  openSessionsOf(manager: EntityManager, callId: number): Promise<SessionRef[]> {
    return this.repository.openSessionsOf(manager, callId);
  }

  // ---- sessions and segments

  /** Opens a session and its first media segment. The caller has already reserved the slot. */
  async open(manager: EntityManager, callId: number, userId: number, media: CallMedia, at: Date): Promise<CallSession> {
    const session = manager.create(CallSession, {
      callId,
      userId,
      media,
      open: OPEN,
      joinedAt: at,
      leftAt: null,
      durationSeconds: null,
      leaveReason: null,
      lastSeenAt: at,
      heartbeatAt: null,
      agoraJoinedAt: null,
      tokenExpiresAt: null,
      lastClientSeq: null,
    });
    // The session row's trigger writes participant.joined in this statement (see the Events migration).
    await this.repository.insertSession(manager, session);
    this.outbox.noted(manager, callId);
    await this.repository.openSegment(manager, session, media, at);
    return session;
  }

  /**
   * Moves the member's open session to another medium: the current segment closes, a new one
   * opens. Takes the call's lock first, so a concurrent leave, removal or end either closed the
   * session before (refused: nothing changes) or waits for this switch to commit. The admission
   * rule applies (a removed member, an ended call); then there must be an open session.
   */
  async switchMedia(manager: EntityManager, callId: number, user: { id: number; isAdmin: boolean }, media: CallMedia, at: Date): Promise<void> {
    await this.calls.lockCall(manager, callId);
    const state = await this.repository.memberState(manager, callId, user.id);
    if (!state) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
    const refusal = admissionRefusal(factsOf(state), user, { now: at, joinEarlyMinutes: this.schedule.joinEarlyMinutes });
    if (refusal) throw refusal;
    const session = state.open;
    if (!session) throw new DomainException('NOT_A_PARTICIPANT', 'You are not in this call: join it first');
    if (session.media === media) return;
    await this.repository.setSessionMedia(manager, session.id, media);
    await this.closeSegment(manager, await this.repository.findOpenSegment(manager, session.id), at);
    await this.repository.openSegment(manager, { id: session.id, callId, userId: user.id }, media, at);
  }

  /**
   * Closes the member's open session, if any, taking the call's lock first (with the read).
   * Says whether it closed one, and the call's running recording as that read saw it.
   */
  async closeMember(manager: EntityManager, callId: number, userId: number, at: Date, reason: string): Promise<{ closed: boolean; recordingId: number | null }> {
    const stay = await this.repository.openSessionForUpdate(manager, callId, userId);
    if (!stay) return { closed: false, recordingId: null };
    return { closed: await this.close(manager, stay.session, at, reason, stay.segment), recordingId: stay.recordingId };
  }

  /**
   * Closes one open session at `at`. Returns false when it was already closed (someone else
   * got there first), in which case nothing changes.
   */
  async close(manager: EntityManager, session: SessionRef, at: Date, reason: string, openSegment?: OpenStay['segment']): Promise<boolean> {
    await this.calls.lockCall(manager, session.callId);
    const leftAt = at < session.joinedAt ? session.joinedAt : at;
    if (!(await this.repository.closeSession(manager, session.id, leftAt, secondsBetween(session.joinedAt, leftAt), reason))) return false;
    // Its trigger wrote participant.left (with the reason; a removal writes participant.removed itself).
    this.outbox.noted(manager, session.callId);
    await this.repository.releaseSlot(manager, session.callId);
    // The open segment, when the caller read it with the session under the lock; else looked up.
    await this.closeSegment(manager, openSegment === undefined ? await this.repository.findOpenSegment(manager, session.id) : openSegment, leftAt);
    return true;
  }

  /** Closes every open session of a call (the call ended). Returns how many were closed. */
  async closeAllInCall(manager: EntityManager, callId: number, at: Date, reason: string): Promise<number> {
    await this.calls.lockCall(manager, callId);
    let closed = 0;
    for (const session of await this.repository.openSessionsOf(manager, callId)) if (await this.close(manager, session, at, reason)) closed += 1;
    return closed;
  }

  private async closeSegment(manager: EntityManager, segment: OpenStay['segment'], at: Date): Promise<void> {
    if (!segment) return;
    const endedAt = at < segment.startedAt ? segment.startedAt : at;
    await this.repository.closeSegmentRow(manager, segment.id, endedAt, secondsBetween(segment.startedAt, endedAt));
  }
}
