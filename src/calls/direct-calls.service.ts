import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { eventsConfig } from '../config/events.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { CallsRepository } from './calls.repository';
import { DirectCallsRepository } from './direct-calls.repository';
import { CallsService, isWaiting, toCallCreated } from './calls.service';
import { DirectCallCreatedDto, DirectCallOutcomeDto, StartDirectCallDto } from './dto/direct-call.dto';
import { JoinCallResponseDto } from './dto/join-call.dto';
import { CallRing, RingState } from './entities/call-ring.entity';
import { CallEndedBy } from './entities/call.entity';

/** The job that marks unanswered rings missed (DirectCallsRingJob). */
export const RING_JOB = 'direct-calls-ring';

type Outcome = Exclude<RingState, 'ringing'>;
const OUTCOME_EVENT = { accepted: 'call.accepted', declined: 'call.declined', cancelled: 'call.cancelled', missed: 'call.missed' } as const;

/**
 * Direct calls: one member rings another. A direct call is an ordinary private call for two
 * (the caller its host, the callee invited), created with a ringing row (`call_rings`). Its
 * `calls.status` stays `active` while it rings (the callee must be able to join it); "ringing"
 * is the ring's state, which the start answers as `status: "ringing"`. The callee accepts (a
 * join) or declines, the caller cancels, or the `direct-calls-ring` job marks it missed after
 * RING_TIMEOUT_SECONDS; every outcome but accepting ends the call. Each outcome is an event
 * (`call.accepted` / `declined` / `cancelled` / `missed`) to both sides, written in the
 * transaction that decides it, under the call's row lock.
 */
@Injectable()
export class DirectCallsService {
  constructor(
    private readonly calls: CallsService,
    private readonly repository: DirectCallsRepository,
    private readonly callsRepository: CallsRepository,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
    private readonly outbox: EventsOutbox,
    private readonly clock: Clock,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
  ) {}

  /** Creates the call, invites the callee and rings them (`call.ringing`), in one transaction. */
  async start(user: AuthUser, dto: StartDirectCallDto): Promise<DirectCallCreatedDto> {
    const calleeId = await this.resolveCallee(dto.callee);
    if (calleeId === user.id) throw new DomainException('CALLEE_IS_CALLER');
    const callee = await this.users.stored(calleeId);
    if (!callee) throw new DomainException('MEMBER_NOT_FOUND', 'No member with this OTO# number or user id');
    if (!callee.isMember) throw new DomainException('CALLEE_NOT_ELIGIBLE');
    let expiresAt = new Date(0);
    const call = await this.calls.createCall({ title: 'Direct call', isPublic: false, maxParticipants: 2 }, user.id, async (manager, created, now) => {
      expiresAt = new Date(now.getTime() + this.config.ringTimeoutMs);
      await this.callsRepository.addMembers(manager, created.id, [calleeId], now);
      await this.repository.insertRing(manager, { callId: created.id, callerId: user.id, calleeId, media: dto.media, state: 'ringing', expiresAt, answeredAt: null });
      await this.outbox.record(manager, {
        type: 'call.ringing',
        callId: created.id,
        userId: calleeId,
        actorId: user.id,
        occurredAt: now,
        data: { caller: { user_id: user.id }, callee: { user_id: calleeId }, media: dto.media, expires_at: expiresAt.toISOString() },
      });
    });
    return {
      ...toCallCreated(call),
      status: 'ringing',
      callee: { user_id: calleeId, oto_number: callee.otoNumber },
      media: dto.media,
      ringExpiresAt: expiresAt.toISOString(),
    };
  }

  /**
   * The callee accepts: a join (the join service, its answer), then the ring is marked accepted
   * with `call.accepted`. A ring that ended meanwhile (cancelled, missed) ended the call, so the
   * join is refused or its session was closed by that end: 409 NOT_RINGING.
   */
  async accept(user: AuthUser, callId: number): Promise<JoinCallResponseDto> {
    const ring = this.check(await this.repository.ringOf(callId), user, 'callee');
    const answer = await this.calls.join(user, callId, ring.media);
    // The caller turned the lobby on: the callee now waits there like anyone else (the ring goes on).
    if (isWaiting(answer)) throw new DomainException('NOT_RINGING', 'The caller keeps a lobby in this call: you wait in it until admitted (join again to see your place)');
    const accepted = await this.tx.run(async (manager) => {
      await this.callsRepository.lockCall(manager, callId);
      return this.conclude(manager, ring, 'accepted', this.clock.now(), user.id);
    });
    if (!accepted) throw new DomainException('NOT_RINGING');
    return answer;
  }

  /** The callee declines: the call ends. */
  decline(user: AuthUser, callId: number): Promise<DirectCallOutcomeDto> {
    return this.finish(user, callId, 'callee', 'declined');
  }

  /** The caller hangs up before an answer: the call ends. */
  cancel(user: AuthUser, callId: number): Promise<DirectCallOutcomeDto> {
    return this.finish(user, callId, 'caller', 'cancelled');
  }

  /** The `direct-calls-ring` job: rings nobody answered in time are missed and their calls end. */
  async expireRings(): Promise<number> {
    let missed = 0;
    for (const ring of await this.repository.ringsDue(this.clock.now(), 100)) {
      const channel = await this.tx.run((manager) => this.endRing(manager, ring, 'missed', 'system'));
      if (channel) {
        missed += 1;
        if (channel !== true) await this.calls.afterEnd(ring.callId, channel);
      }
    }
    return missed;
  }

  private async finish(user: AuthUser, callId: number, side: 'caller' | 'callee', outcome: 'declined' | 'cancelled'): Promise<DirectCallOutcomeDto> {
    const channel = await this.tx.run(async (manager) => {
      const ring = this.check(await this.lockedRing(manager, callId), user, side);
      const done = await this.endRing(manager, ring, outcome, side === 'caller' ? 'host' : 'system', user.id);
      if (!done) throw new DomainException('NOT_RINGING');
      return done;
    });
    if (channel !== true) await this.calls.afterEnd(callId, channel);
    return { success: true, callId, status: outcome };
  }

  /** The call's lock first (the one lock order), then its ring. */
  private async lockedRing(manager: EntityManager, callId: number): Promise<CallRing | null> {
    await this.callsRepository.lockCall(manager, callId);
    return this.repository.ringOf(callId, manager);
  }

  /**
   * Ends a ringing ring (`outcome`) and its call, unless the call ended already (a host's end).
   * The channel to kick once committed, `true` when the call had ended before, false when the
   * ring was not ringing.
   */
  private async endRing(manager: EntityManager, ring: CallRing, outcome: Exclude<Outcome, 'accepted'>, endedBy: CallEndedBy, actorId?: number): Promise<string | boolean> {
    const call = await this.callsRepository.lockedCall(manager, ring.callId);
    const now = this.clock.now();
    if (!call || !(await this.conclude(manager, ring, outcome, now, actorId))) return false;
    if (call.status === 'ended') return true;
    return this.calls.endWithin(manager, ring.callId, endedBy, now, false, actorId);
  }

  /** Moves the ring to its outcome and writes the outcome's event (under the call's lock). False when it was not ringing. */
  private async conclude(manager: EntityManager, ring: CallRing, outcome: Outcome, at: Date, actorId?: number): Promise<boolean> {
    if (!(await this.repository.endRinging(manager, ring.callId, outcome, at))) return false;
    await this.outbox.record(manager, {
      type: OUTCOME_EVENT[outcome],
      callId: ring.callId,
      actorId,
      occurredAt: at,
      data: { caller: { user_id: ring.callerId }, callee: { user_id: ring.calleeId }, media: ring.media },
    });
    return true;
  }

  private check(ring: CallRing | null, user: AuthUser, side: 'caller' | 'callee'): CallRing {
    if (!ring) throw new DomainException('NOT_A_DIRECT_CALL');
    if (side === 'callee' && ring.calleeId !== user.id) throw new DomainException('NOT_THE_CALLEE');
    if (side === 'caller' && ring.callerId !== user.id) throw new DomainException('NOT_THE_CALLER');
    if (ring.state !== 'ringing') throw new DomainException('NOT_RINGING');
    return ring;
  }

  private async resolveCallee(callee: string | number): Promise<number> {
    const id = typeof callee === 'string' && callee.startsWith('OTO#') ? await this.users.idOfOtoNumber(callee) : Number(callee);
    if (id === null || !(await this.users.known(id))) throw new DomainException('MEMBER_NOT_FOUND', 'No member with this OTO# number or user id');
    return id;
  }
}
