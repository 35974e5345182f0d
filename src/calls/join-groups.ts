import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { joinGroupSize } from '../common/metrics/counters';
import { scheduleConfig } from '../config/schedule.config';
import { isDatabaseUnavailable, isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { admissionRefusal, callFullRefusal, factsOf, lobbyApplies } from './admission';
import { AssignedUids } from './assigned-uids.service';
import { CallsRepository } from './calls.repository';
import { CallRole } from './entities/call-member.entity';
import { CallMedia, CallSession } from './entities/call-session.entity';
import { MediaKey, MediaKeys } from './media-keys.service';
import { MemberState, ParticipationRepository } from './participation.repository';
import { StageRole, stageRoleOf } from './stage-roles';

/** A member's place in a call after a join: the call, their open session, their role and uid. */
export interface Entry {
  call: MemberState['call'];
  session: Pick<CallSession, 'media' | 'joinedAt'>;
  role: CallRole;
  preferences: MemberState['preferences'];
  /** Null only for a session opened before uids were assigned (bound after the join's transaction). */
  uid: number | null;
  /** True when this join opened the session (false: the member was in already). */
  opened: boolean;
  /** Whether the member consented to recording (their preferences, read with the call). */
  recordingConsent: boolean;
  /** On a stage, the member's stage role (read with the call); null on a conference. */
  stageRole: StageRole | null;
  /** An encrypted call's mode, key and salt (issue 26); undefined without encryption. */
  mediaKey?: MediaKey;
}

/** One join waiting for its group; `alone` is the one-member join (CallsService), used when it ends up alone or the group cannot take it. */
interface Pending {
  user: AuthUser;
  media: CallMedia;
  alone: () => Promise<Entry>;
  resolve: (entry: Entry) => void;
  reject: (error: unknown) => void;
}

/** The most joins one transaction takes (a bound on the statement size and on the lock's hold). */
export const MAX_GROUP = 64;

/**
 * Group commit for joins into one call (issue 25: a stage of 10,000 listeners is one call, and
 * every join takes that call's row lock, so one by one they form a queue).
 *
 * While a join into a call runs on this instance, later joins into the same call wait here instead
 * of on the row lock; when it commits, all of them (up to MAX_GROUP) go in one transaction:
 * the call's lock and row, every member's state in one read, the admission rule for each in
 * arrival order, the free slots handed out in that order (CALL_FULL after), then one write per
 * table for all of them. A join that finds nothing running goes alone, through the one-member
 * join, at once: grouping never delays a join, it only gathers those that would have waited.
 *
 * Calls with a lobby or wait-for-host take their joins one by one (the lobby's knock needs its
 * own transaction), as does every member of a group whose transaction failed on a unique index.
 * The lock order and the invariants are those of the one-member join (DEVELOPERS.md).
 */
@Injectable()
export class JoinGroups {
  /** Per call with a join running on this instance: the joins waiting for it. */
  private readonly waiting = new Map<number, Pending[]>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly participations: ParticipationRepository,
    private readonly calls: CallsRepository,
    private readonly uids: AssignedUids,
    private readonly outbox: EventsOutbox,
    private readonly mediaKeys: MediaKeys,
    private readonly clock: Clock,
    @Inject(scheduleConfig.KEY) private readonly schedule: ConfigType<typeof scheduleConfig>,
  ) {}

  /** Joins `user` into the call, alone at once when no join into it runs here, else with the next group. */
  async enter(callId: number, user: AuthUser, media: CallMedia, alone: () => Promise<Entry>): Promise<Entry> {
    const queue = this.waiting.get(callId);
    if (queue) return new Promise<Entry>((resolve, reject) => queue.push({ user, media, alone, resolve, reject }));
    this.waiting.set(callId, []);
    joinGroupSize.observe(1);
    let failure: unknown;
    try {
      return await alone();
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.next(callId, failure);
    }
  }

  /**
   * Starts the next group of a call (or forgets the call when nobody waits). When the join before
   * failed because the database does not answer, those waiting get the same answer at once rather
   * than another wait of their own: a request's bound on a stalled database is one time-out.
   */
  private next(callId: number, failure?: unknown): void {
    const queue = this.waiting.get(callId);
    if (!queue || queue.length === 0) {
      this.waiting.delete(callId);
      return;
    }
    // A driver's time-out or lost connection (the filter answers it 503), or the service's own 503.
    if (isDatabaseUnavailable(failure) || (failure instanceof DomainException && failure.code === 'DATABASE_UNAVAILABLE')) {
      this.waiting.delete(callId);
      for (const pending of queue) pending.reject(failure);
      return;
    }
    const group = queue.splice(0, MAX_GROUP);
    void this.run(callId, group).then((groupFailure) => this.next(callId, groupFailure));
  }

  /** Runs one group; answers the error that failed it as a whole, if any. */
  private async run(callId: number, group: Pending[]): Promise<unknown> {
    joinGroupSize.observe(group.length);
    if (group.length === 1) return settle(group[0], group[0].alone());
    let outcomes: Map<Pending, Entry | DomainException | 'alone'>;
    try {
      outcomes = await this.tx.run((manager) => this.enterGroup(manager, callId, group));
    } catch (error) {
      // A unique index caught what the lock should have prevented: each member tries alone.
      if (!isUniqueViolation(error)) {
        for (const pending of group) pending.reject(error);
        return error;
      }
      outcomes = new Map(group.map((pending) => [pending, 'alone']));
    }
    await Promise.all(
      group.map((pending) => {
        const outcome = outcomes.get(pending)!;
        if (outcome === 'alone') return settle(pending, pending.alone());
        if (outcome instanceof DomainException) return pending.reject(outcome);
        return pending.resolve(outcome);
      }),
    );
    return undefined;
  }

  /** One transaction for the group: the call's lock first, then every member's state, then the writes. */
  private async enterGroup(manager: EntityManager, callId: number, group: Pending[]): Promise<Map<Pending, Entry | DomainException | 'alone'>> {
    const now = this.clock.now();
    const outcomes = new Map<Pending, Entry | DomainException | 'alone'>();
    const call = await this.participations.lockForJoins(manager, callId);
    if (!call) {
      for (const pending of group) outcomes.set(pending, new DomainException('CALL_NOT_FOUND', 'Call not found or ended'));
      return outcomes;
    }
    if (call.lobby || call.waitForHost) {
      for (const pending of group) outcomes.set(pending, 'alone');
      return outcomes;
    }
    const states = await this.participations.memberStates(manager, call, [...new Set(group.map((p) => p.user.id))]);
    let free = call.status === 'active' ? Math.max(0, call.maxParticipants - call.activeParticipants) : 0;
    const opening: Array<{ pending: Pending; state: MemberState }> = [];
    const first = new Map<number, Pending>();
    for (const pending of group) {
      const earlier = first.get(pending.user.id);
      if (earlier) {
        // The same member twice in one group: the second asks after the first, and gets what it got.
        const entry = outcomes.get(earlier);
        outcomes.set(pending, entry && !(entry instanceof DomainException) && entry !== 'alone' ? { ...entry, opened: false } : entry!);
        continue;
      }
      first.set(pending.user.id, pending);
      const state = states.get(pending.user.id)!;
      const facts = factsOf(state);
      if (lobbyApplies(facts, pending.user)) {
        outcomes.set(pending, 'alone');
        continue;
      }
      const refusal = admissionRefusal(facts, pending.user, { now, joinEarlyMinutes: this.schedule.joinEarlyMinutes });
      const entry = (opened: boolean): Entry => ({
        call,
        session: opened ? { media: pending.media, joinedAt: now } : state.open!,
        role: state.member?.role ?? 'participant',
        uid: state.assignedUid,
        preferences: state.preferences,
        opened,
        recordingConsent: state.recordingConsent,
        stageRole: stageRoleOf(call.mode, state.member),
      });
      if (refusal) outcomes.set(pending, refusal);
      else if (state.open) outcomes.set(pending, entry(false));
      else if (free === 0) outcomes.set(pending, callFullRefusal(call.maxParticipants));
      else {
        free -= 1;
        outcomes.set(pending, entry(true));
        opening.push({ pending, state });
      }
    }
    // An encrypted call (issue 26): everyone admitted gets the channel's key, a fresh pair when they are its first occupants.
    const entries = [...outcomes.values()].filter((o): o is Entry => o !== 'alone' && !(o instanceof DomainException));
    if (call.encryption !== 'none' && entries.length > 0) {
      const mediaKey = await this.mediaKeys.forGroup(manager, call, call.activeParticipants === 0 && opening.length > 0, now);
      for (const entry of entries) entry.mediaKey = mediaKey;
    }
    if (opening.length === 0) return outcomes;
    // The writes: the head count, the sessions with their segments, new members, uids; one statement each.
    await this.participations.takeSlots(manager, callId, opening.length);
    await this.participations.openSessions(manager, callId, opening.map(({ pending }) => ({ userId: pending.user.id, media: pending.media })), now);
    this.outbox.noted(manager, callId);
    await this.calls.addMembers(manager, callId, opening.filter(({ state }) => !state.member).map(({ pending }) => pending.user.id), now);
    const unbound = opening.filter(({ state }) => state.assignedUid === null).map(({ pending }) => pending.user.id);
    if (unbound.length > 0) {
      const assigned = await this.uids.assignMany(manager, callId, unbound, now);
      for (const { pending } of opening) {
        const uid = assigned.get(pending.user.id);
        if (uid !== undefined) (outcomes.get(pending) as Entry).uid = uid;
      }
    }
    return outcomes;
  }
}

/** Hands a member's own join to its waiting request; answers the error that failed it, if any. */
function settle(pending: Pending, entry: Promise<Entry>): Promise<unknown> {
  return entry.then(
    (joined) => void pending.resolve(joined),
    (error: unknown) => {
      pending.reject(error);
      return error;
    },
  );
}
