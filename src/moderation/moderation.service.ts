import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AgoraChannelService } from '../agora/agora-channel.service';
import { AuthUser } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { RecordingHooks } from '../calls/recording-hooks';
import { toCallRow } from '../calls/calls.service';
import { CallRowDto } from '../calls/dto/call-row.dto';
import { AssignedUids } from '../calls/assigned-uids.service';
import { MediaKeys } from '../calls/media-keys.service';
import type { Call } from '../calls/entities/call.entity';
import { ParticipationService } from '../calls/participation.service';
import { outranked, requirePower } from '../calls/powers';
import { plannedSchedule, scheduleChanges } from '../calls/schedule';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { TransactionRunner } from '../database/transaction-runner.service';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { MemberRoleDto } from './dto/change-role.dto';
import { MemberMutedDto, MuteMemberDto } from './dto/mute-member.dto';
import { ParticipantRemovedDto } from './dto/participant-removed.dto';
import { UpdateCallDto } from './dto/update-call.dto';
import { ModerationRepository } from './moderation.repository';
import { combine, PublishRestrictions } from './publish-restrictions.service';
import { capacityRefusal } from '../calls/stage-roles';
import { stageConfig } from '../config/stage.config';
import { StageService } from '../stage/stage.service';

/** What taking an erased member out of one call did (`ModerationService.removeForErasure`). */
export interface ErasureRemoval {
  callId: number;
  channelName: string;
  sessionClosed: boolean;
  recordingId: number | null;
  handRaised: boolean;
  muteRules: number;
}

/**
 * What hosts, moderators and admins do to a call they run: pause and resume it, edit it, make
 * members moderators, remove and mute participants. Admins may do everything a host may.
 *
 * Who may do what is the one powers rule (`src/calls/powers.ts`). Each action is one transaction
 * that takes the call's row lock first (`ParticipationService.standing`), then reads the caller's
 * and the target's rows: the one lock order of ParticipationService, so a join,
 * leave or removal on another instance either committed before and is seen, or waits. Agora is
 * asked afterwards, outside the transaction, and its outcome reported, never thrown.
 */
@Injectable()
export class ModerationService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly repository: ModerationRepository,
    private readonly uids: AssignedUids,
    private readonly participation: ParticipationService,
    private readonly agora: AgoraChannelService,
    private readonly users: UsersService,
    private readonly clock: Clock,
    private readonly recordings: RecordingHooks,
    private readonly outbox: EventsOutbox,
    private readonly restrictions: PublishRestrictions,
    private readonly stage: StageService,
    @Inject(stageConfig.KEY) private readonly stageLimits: ConfigType<typeof stageConfig>,
    private readonly mediaKeys: MediaKeys,
  ) {}

  /** Pauses (nobody new joins; those in stay) or resumes a call. Asking for the state it is in changes nothing. */
  setPaused(user: AuthUser, callId: number, paused: boolean): Promise<CallRowDto> {
    return this.tx.run(async (manager) => {
      const { call, role } = await this.participation.standing(manager, callId, user.id);
      if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
      requirePower('moderate', role, user, paused ? 'pause this call' : 'resume this call');
      const status = paused ? 'paused' : 'active';
      if (call.status !== status) {
        await this.repository.setStatus(manager, callId, status);
        call.status = status;
        await this.outbox.record(manager, { type: paused ? 'call.paused' : 'call.resumed', callId, actorId: user.id, occurredAt: this.clock.now() });
      }
      return toCallRow(call, role);
    });
  }

  /**
   * Edits a call. The cap is checked against the live head count under the call's lock, which a
   * join's slot UPDATE needs too: the cap never drops below the members in the call.
   */
  edit(user: AuthUser, callId: number, dto: UpdateCallDto): Promise<CallRowDto> {
    return this.tx.run(async (manager) => {
      const { call, role } = await this.participation.standing(manager, callId, user.id);
      if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
      requirePower('moderate', role, user, 'edit this call');
      // A conference holds 500 at most, a stage STAGE_MAX_PARTICIPANTS (src/calls/stage-roles.ts).
      const overCap = dto.maxParticipants === undefined ? null : capacityRefusal(call.mode, dto.maxParticipants, this.stageLimits.maxParticipants);
      if (overCap) throw overCap;
      if (dto.maxParticipants !== undefined && dto.maxParticipants < call.activeParticipants) {
        throw new DomainException('CAPACITY_BELOW_LIVE', `maxParticipants ${dto.maxParticipants} is below the ${call.activeParticipants} members in the call now`);
      }
      // A stage's speaker cap, checked against its speakers under the same lock (src/stage/).
      if (dto.maxSpeakers !== undefined && call.mode !== 'stage') throw new DomainException('VALIDATION_FAILED', 'maxSpeakers is for stage calls only (mode "stage")');
      if (dto.maxSpeakers !== undefined && dto.maxSpeakers < (call.speakerCount ?? 0)) {
        throw new DomainException('CAPACITY_BELOW_LIVE', `maxSpeakers ${dto.maxSpeakers} is below the ${call.speakerCount} speakers of this stage now`);
      }
      // The media encryption (issue 26) changes only while nobody, recorder included, is in the channel.
      const encryption = dto.encryption !== undefined && dto.encryption !== call.encryption ? dto.encryption : undefined;
      if (encryption !== undefined) {
        this.mediaKeys.requireAvailable(encryption);
        if (call.activeParticipants > 0 || call.recordingId !== null) throw new DomainException('CALL_IN_PROGRESS');
        // The old mode's key goes; the next join mints one for the new mode.
        await this.mediaKeys.dropWithin(manager, callId);
      }
      // The schedule's rules (src/calls/schedule.ts): 400, or 409 once startsAt has passed.
      const moved = scheduleChanges(call, plannedSchedule(call, dto, this.clock.now()));
      const fields: Partial<Pick<Call, 'title' | 'description' | 'isPublic' | 'maxParticipants' | 'startsAt' | 'endsAt' | 'lobby' | 'waitForHost' | 'maxSpeakers' | 'encryption'>> = {};
      if (dto.title !== undefined) fields.title = dto.title;
      if (dto.description !== undefined) fields.description = dto.description;
      if (dto.isPublic !== undefined) fields.isPublic = dto.isPublic;
      if (dto.maxParticipants !== undefined) fields.maxParticipants = dto.maxParticipants;
      if (moved.starts_at !== undefined) fields.startsAt = moved.starts_at === null ? null : new Date(moved.starts_at);
      if (moved.ends_at !== undefined) fields.endsAt = moved.ends_at === null ? null : new Date(moved.ends_at);
      if (dto.lobby !== undefined) fields.lobby = dto.lobby;
      if (dto.waitForHost !== undefined) fields.waitForHost = dto.waitForHost;
      if (dto.maxSpeakers !== undefined) fields.maxSpeakers = dto.maxSpeakers;
      if (encryption !== undefined) fields.encryption = encryption;
      await this.repository.updateCall(manager, callId, fields);
      if (Object.keys(fields).length > 0) {
        const changed = { title: fields.title, description: fields.description, is_public: fields.isPublic, max_participants: fields.maxParticipants, max_speakers: fields.maxSpeakers, ...moved };
        // The lobby settings (issue 24).
        Object.assign(changed, { lobby: fields.lobby, wait_for_host: fields.waitForHost, encryption: fields.encryption });
        await this.outbox.record(manager, { type: 'call.updated', callId, actorId: user.id, occurredAt: this.clock.now(), data: { changed: JSON.parse(JSON.stringify(changed)) } });
      }
      return toCallRow(Object.assign(call, fields), role);
    });
  }

  /** Makes a member of the call a moderator, or a participant again (host or admin). The host's role is fixed. */
  async setRole(user: AuthUser, callId: number, userId: number, role: 'moderator' | 'participant'): Promise<MemberRoleDto> {
    const seated = await this.tx.run(async (manager) => {
      const standing = await this.participation.standing(manager, callId, user.id);
      if (standing.call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
      requirePower('host', standing.role, user, 'change roles in this call');
      const target = await this.participation.memberRow(manager, callId, userId);
      if (!target || target.removedAt) throw new DomainException('NOT_A_CALL_MEMBER', 'This member is not a member of this call');
      if (target.role === 'host') throw new DomainException('HOST_ROLE_FIXED', "The host's role cannot change");
      if (target.role !== role) await this.repository.setRole(manager, target.id, role);
      // On a stage a moderator is a speaker: a seat taken (409 SPEAKERS_FULL when none is free).
      return role === 'moderator' && (await this.stage.seatModerator(manager, standing.call, target, user.id, this.clock.now())) ? standing.call.channelName : null;
    });
    if (seated !== null) await this.stage.afterSpeakerChange(callId, userId, seated);
    return { success: true, oto_number: await this.otoNumber(userId), role };
  }

  /**
   * Removes a member from a call: their open session closes now and they may not rejoin or get a
   * token for this call. Then, with Agora REST credentials configured, each uid bound to them is
   * kicked; the removal stands whatever Agora answers. The one implementation behind the admin
   * route and the member-facing one: a moderator cannot remove the host or another moderator,
   * and nobody removes themselves this way (they leave).
   */
  async removeParticipant(user: AuthUser, callId: number, userId: number): Promise<ParticipantRemovedDto> {
    if (userId === user.id) throw new DomainException('ACTION_NOT_ALLOWED', 'Nobody removes themselves: leave the call instead');
    const now = this.clock.now();
    const { channelName, recordingId } = await this.tx.run(async (manager) => {
      // The call's lock first (the one lock order): a join racing this removal either committed
      // before (its session is closed here) or waits, then sees the removal.
      const { call, role } = await this.participation.standing(manager, callId, user.id);
      requirePower('moderate', role, user, 'remove participants from this call');
      const target = await this.participation.memberRow(manager, callId, userId);
      if (target && outranked(role, user, target.role)) {
        throw new DomainException('ACTION_NOT_ALLOWED', 'A moderator cannot remove the host or another moderator');
      }
      if (!(await this.repository.tookPart(manager, callId, userId))) throw new DomainException('PARTICIPANT_NOT_FOUND', 'This member never took part in this call');
      const closed = await this.participation.closeMember(manager, callId, userId, now, 'removed');
      await this.repository.markRemoved(manager, callId, userId, now);
      // A removed speaker gives their stage seat back.
      await this.stage.vacate(manager, call, target);
      await this.outbox.record(manager, { type: 'participant.removed', callId, userId, actorId: user.id, occurredAt: now });
      return { channelName: call.channelName, recordingId: closed.closed ? closed.recordingId : null };
    });
    // After the commit: a removed member leaves a running recording's subscribe lists.
    if (recordingId !== null) this.recordings.membershipChanged(callId, recordingId);
    const uids = (await this.uids.uidsOf(callId, [userId])).get(userId) ?? [];
    const outcomes = await Promise.all(uids.map((uid) => this.agora.kickUser(channelName, uid)));
    return { success: true, message: 'Participant removed from call', agoraKick: combine(outcomes) };
  }

  /**
   * Mutes or unmutes a member's audio and/or video. The flags are the service's record (shown in
   * `GET /:callId`); what a muted member may still publish follows from them everywhere
   * (`PublishRestrictions`): their tokens leave the muted media out, and with Agora credentials
   * every uid bound to them gets a kicking rule with the privilege `publish_audio` /
   * `publish_video` that outlasts any token they hold, renewed before a new token would outlive
   * it; unmuting deletes every rule made for it. A moderator may mute participants only.
   */
  async mute(user: AuthUser, callId: number, userId: number, dto: MuteMemberDto): Promise<MemberMutedDto> {
    if (dto.audio === undefined && dto.video === undefined) throw new DomainException('VALIDATION_FAILED', 'audio or video is required (true mutes, false unmutes)');
    const now = this.clock.now();
    const { channelName, muted } = await this.tx.run((manager) => this.planMute(manager, user, callId, userId, dto, now));
    // After the commit, so the rules follow the flags as committed (and a uid bound meanwhile is seen).
    const agoraMute = await this.restrictions.enforce(callId, userId, channelName);
    return { success: true, oto_number: await this.otoNumber(userId), muted, agoraMute };
  }

  private async planMute(manager: EntityManager, user: AuthUser, callId: number, userId: number, dto: MuteMemberDto, now: Date): Promise<{ channelName: string; muted: { audio: boolean; video: boolean } }> {
    const { call, role } = await this.participation.standing(manager, callId, user.id);
    if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
    requirePower('moderate', role, user, 'mute members of this call');
    const target = await this.participation.memberRow(manager, callId, userId);
    if (!target || target.removedAt) throw new DomainException('NOT_A_CALL_MEMBER', 'This member is not a member of this call');
    if (outranked(role, user, target.role)) {
      throw new DomainException('ACTION_NOT_ALLOWED', 'A moderator can mute and unmute participants only');
    }
    const audioMutedAt = dto.audio === undefined ? target.audioMutedAt : dto.audio ? (target.audioMutedAt ?? now) : null;
    const videoMutedAt = dto.video === undefined ? target.videoMutedAt : dto.video ? (target.videoMutedAt ?? now) : null;
    await this.repository.setMuted(manager, target.id, { audioMutedAt, videoMutedAt });
    await this.outbox.record(manager, { type: 'participant.muted', callId, userId, actorId: user.id, occurredAt: now, data: { muted: { audio: audioMutedAt !== null, video: videoMutedAt !== null } } });
    return { channelName: call.channelName, muted: { audio: audioMutedAt !== null, video: videoMutedAt !== null } };
  }

  /**
   * Erasure (src/erasure/): takes the member out of one call as a removal does, in the caller's
   * transaction, the call's row lock first: their open session closes with reason `removed`
   * (`participant.removed` told), a stage seat they held is given back, and the Agora mute rules
   * kept for them there are forgotten. Null when the call does not exist. The caller deletes
   * their membership next, in the same transaction, and calls `afterErasureRemoval` after the commit.
   */
  async removeForErasure(manager: EntityManager, callId: number, userId: number, now: Date): Promise<ErasureRemoval | null> {
    const call = await this.participation.lockedCall(manager, callId);
    if (!call) return null;
    const target = await this.participation.memberRow(manager, callId, userId);
    const closed = await this.participation.closeMember(manager, callId, userId, now, 'removed');
    if (target && !target.removedAt) await this.stage.vacate(manager, call, target);
    if (closed.closed) await this.outbox.record(manager, { type: 'participant.removed', callId, userId, occurredAt: now });
    return {
      callId,
      channelName: call.channelName,
      sessionClosed: closed.closed,
      recordingId: closed.closed ? closed.recordingId : null,
      handRaised: target !== null && target.handRaisedAt !== null,
      muteRules: await this.repository.deleteMuteRulesOf(manager, callId, userId),
    };
  }

  /** After an erasure's removal committed: a running recording's subscribe lists follow, and the uids they held are kicked (outcome not reported). */
  async afterErasureRemoval(removal: ErasureRemoval, uids: number[]): Promise<void> {
    if (removal.recordingId !== null) this.recordings.membershipChanged(removal.callId, removal.recordingId);
    if (removal.sessionClosed) await Promise.all(uids.map((uid) => this.agora.kickUser(removal.channelName, uid)));
  }

  private async otoNumber(userId: number): Promise<string> {
    return (await this.users.otoNumbers([userId])).get(userId) ?? 'OTO#UNKNWN';
  }
}
