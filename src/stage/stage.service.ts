import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { CallsService } from '../calls/calls.service';
import type { CallMember } from '../calls/entities/call-member.entity';
import type { Call } from '../calls/entities/call.entity';
import { ParticipationService } from '../calls/participation.service';
import { requirePower } from '../calls/powers';
import { speaksByRole } from '../calls/stage-roles';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { iso } from '../common/iso';
import { TransactionRunner } from '../database/transaction-runner.service';
import { PublishRestrictions } from '../moderation/publish-restrictions.service';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { HandDto, RaisedHandsDto } from './dto/hand.dto';
import { SpeakerChangedDto } from './dto/speaker.dto';
import { StageRepository } from './stage.repository';

const UNKNOWN_OTO = 'OTO#UNKNWN';

/** A stage's speaker change as committed: what the answer and the Agora rules need. */
interface SpeakerChange {
  channelName: string;
  speakerCount: number;
  speaker: boolean;
}

/**
 * Stages (issue 25): listeners' raised hands, and who may publish. The rules are in
 * `src/calls/stage-roles.ts`; who may run a stage is the one powers rule (`moderate`: host,
 * moderators, admins). Every change is one transaction that takes the call's row lock first
 * (`ParticipationService.standing` / `lockCall`) and then reads the members, the one lock order,
 * so the speaker count is exact under races on any number of instances and a call's events
 * commit in id order. What a demoted speaker may no longer publish follows from
 * `forbiddenPrivileges` (their tokens, and with Agora credentials the kicking rules, brought in
 * line by `PublishRestrictions.enforce` after the commit, as a mute is).
 */
@Injectable()
export class StageService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly participation: ParticipationService,
    private readonly calls: CallsService,
    private readonly repository: StageRepository,
    private readonly outbox: EventsOutbox,
    private readonly users: UsersService,
    private readonly clock: Clock,
    private readonly restrictions: PublishRestrictions,
  ) {}

  // ---- hands

  /**
   * Raises or lowers the caller's hand: a listener in the call. Raising a raised hand keeps its
   * time (its place in the queue); lowering a lowered one changes nothing. Either way no event
   * is written unless something changed.
   */
  setHand(user: AuthUser, callId: number, raised: boolean): Promise<HandDto> {
    return this.tx.run(async (manager) => {
      await this.participation.lockCall(manager, callId);
      const state = await this.participation.memberState(manager, callId, user.id);
      if (!state) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
      if (state.call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
      if (state.member?.removed) throw new DomainException('PARTICIPANT_REMOVED', 'You were removed from this call');
      if (state.call.mode !== 'stage') throw new DomainException('NOT_A_STAGE');
      if (!state.open) throw new DomainException('NOT_A_PARTICIPANT', 'You are not in this call: join it first');
      const now = this.clock.now();
      if (raised) {
        if (state.member?.speaker) throw new DomainException('ALREADY_A_SPEAKER');
        if (state.handRaisedAt) return { success: true, raised: true, raised_at: state.handRaisedAt.toISOString() };
        await this.repository.raiseHand(manager, callId, user.id, state.open.id, now);
        await this.outbox.record(manager, { type: 'hand.raised', callId, userId: user.id, actorId: user.id, occurredAt: now });
        return { success: true, raised: true, raised_at: now.toISOString() };
      }
      if (state.handRaisedAt) {
        await this.repository.lowerHand(manager, callId, user.id);
        await this.outbox.record(manager, { type: 'hand.lowered', callId, userId: user.id, actorId: user.id, occurredAt: now, data: { reason: 'lowered' } });
      }
      return { success: true, raised: false, raised_at: null };
    });
  }

  /** The raised hands of listeners in the call now, oldest first, by OTO# number (host, moderators, admins). */
  async hands(user: AuthUser, callId: number, limit: number): Promise<RaisedHandsDto> {
    const { call, member } = await this.calls.admission(callId, user.id);
    requirePower('moderate', member && !member.removedAt ? member.role : null, user, 'see the raised hands of this stage');
    if (call.mode !== 'stage') throw new DomainException('NOT_A_STAGE');
    const [hands, total] = await Promise.all([this.repository.raisedHands(callId, limit), this.repository.countRaisedHands(callId)]);
    const otos = await this.users.otoNumbers(hands.map((hand) => hand.userId));
    return { hands: hands.map((hand) => ({ oto_number: otos.get(hand.userId) ?? UNKNOWN_OTO, raised_at: iso(hand.raisedAt)! })), total };
  }

  // ---- speakers

  /**
   * Makes a member in the call a speaker (host, moderators, admins), lowering their hand: 409
   * `SPEAKERS_FULL` when the stage has `max_speakers` already (counted under the call's lock).
   * A speaker already is answered as is.
   */
  async promote(user: AuthUser, callId: number, userId: number): Promise<SpeakerChangedDto> {
    const now = this.clock.now();
    const change = await this.tx.run(async (manager): Promise<SpeakerChange> => {
      const { call, role } = await this.participation.standing(manager, callId, user.id);
      if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
      requirePower('moderate', role, user, 'make speakers on this stage');
      if (call.mode !== 'stage') throw new DomainException('NOT_A_STAGE');
      const target = await this.participation.memberState(manager, callId, userId);
      if (!target?.member || target.member.removed) throw new DomainException('NOT_A_CALL_MEMBER', 'This member is not a member of this call');
      if (target.member.speaker) return { channelName: call.channelName, speakerCount: call.speakerCount ?? 0, speaker: true };
      if (!target.open) throw new DomainException('MEMBER_NOT_IN_CALL');
      await this.seat(manager, call, userId, target.handRaisedAt !== null, user.id, now, 'promoted');
      return { channelName: call.channelName, speakerCount: (call.speakerCount ?? 0) + 1, speaker: true };
    });
    return this.answer(callId, userId, change);
  }

  /**
   * Makes a speaker a listener again (host, moderators, admins; or the speaker themselves,
   * stepping down). The host and moderators are speakers by their role: 409 `SPEAKER_BY_ROLE`.
   * A listener already is answered as is. After the commit, with Agora credentials, kicking
   * rules on `publish_audio` and `publish_video` cover every uid bound to them.
   */
  async demote(user: AuthUser, callId: number, userId: number): Promise<SpeakerChangedDto> {
    const now = this.clock.now();
    const self = userId === user.id;
    const change = await this.tx.run(async (manager): Promise<SpeakerChange> => {
      const { call, role } = await this.participation.standing(manager, callId, user.id);
      if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
      if (!self) requirePower('moderate', role, user, 'make speakers listeners on this stage');
      if (call.mode !== 'stage') throw new DomainException('NOT_A_STAGE');
      const target = await this.participation.memberRow(manager, callId, userId);
      if (!target || target.removedAt) throw new DomainException('NOT_A_CALL_MEMBER', 'This member is not a member of this call');
      if (speaksByRole(target.role)) throw new DomainException('SPEAKER_BY_ROLE');
      if (target.speakerAt === null) return { channelName: call.channelName, speakerCount: call.speakerCount ?? 0, speaker: false };
      await this.repository.setListener(manager, callId, userId, now);
      await this.repository.freeSeat(manager, callId);
      await this.outbox.record(manager, { type: 'participant.demoted', callId, userId, actorId: user.id, occurredAt: now, data: { reason: self ? 'stepped_down' : 'demoted' } });
      return { channelName: call.channelName, speakerCount: (call.speakerCount ?? 1) - 1, speaker: false };
    });
    return this.answer(callId, userId, change);
  }

  // ---- what role changes and removals mean on a stage (called by ModerationService, in its transaction)

  /**
   * A member made a moderator on a stage becomes a speaker, taking a seat (409 `SPEAKERS_FULL`
   * when none is free). True when they were not one before (then the caller brings the Agora
   * rules in line after its commit: `afterSpeakerChange`).
   */
  async seatModerator(manager: EntityManager, call: Call, target: CallMember, actorId: number, now: Date): Promise<boolean> {
    if (call.mode !== 'stage' || target.speakerAt !== null) return false;
    // Their hand, if it is up in their open session, goes down (and moderators hear of it).
    const state = await this.participation.memberState(manager, call.id, target.userId);
    await this.seat(manager, call, target.userId, (state?.handRaisedAt ?? null) !== null, actorId, now, 'moderator');
    return true;
  }

  /** A speaker removed from a stage gives their seat back (their session closed: a hand went with it). */
  async vacate(manager: EntityManager, call: Call, target: CallMember | null): Promise<void> {
    if (call.mode !== 'stage' || !target || target.speakerAt === null) return;
    await this.repository.setListener(manager, call.id, target.userId, null);
    await this.repository.freeSeat(manager, call.id);
  }

  /** After a speaker change committed: the Agora rules follow what the member may publish now. */
  afterSpeakerChange(callId: number, userId: number, channelName: string): Promise<SpeakerChangedDto['agoraRules']> {
    return this.restrictions.enforce(callId, userId, channelName);
  }

  /**
   * Seats a member as a speaker under the call's lock, which the caller holds: refused when the
   * count read under it is at the cap; the conditional UPDATE agrees (and is the last word).
   */
  private async seat(manager: EntityManager, call: Call, userId: number, handRaised: boolean, actorId: number, now: Date, reason: 'promoted' | 'moderator'): Promise<void> {
    const full = () => new DomainException('SPEAKERS_FULL', `This stage has its ${call.maxSpeakers} speakers already`);
    if ((call.speakerCount ?? 0) >= (call.maxSpeakers ?? 0)) throw full();
    await this.repository.setSpeaker(manager, call.id, userId, now);
    if (!(await this.repository.takeSeat(manager, call.id))) throw full();
    if (handRaised) await this.outbox.record(manager, { type: 'hand.lowered', callId: call.id, userId, actorId, occurredAt: now, data: { reason: 'promoted' } });
    await this.outbox.record(manager, { type: 'participant.promoted', callId: call.id, userId, actorId, occurredAt: now, data: { reason } });
  }

  private async answer(callId: number, userId: number, change: SpeakerChange): Promise<SpeakerChangedDto> {
    const agoraRules = await this.afterSpeakerChange(callId, userId, change.channelName);
    const oto = (await this.users.otoNumbers([userId])).get(userId) ?? UNKNOWN_OTO;
    return { success: true, oto_number: oto, stageRole: change.speaker ? 'speaker' : 'listener', speaker_count: change.speakerCount, agoraRules };
  }
}
