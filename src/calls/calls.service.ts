import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AgoraChannelService } from '../agora/agora-channel.service';
import { AuthUser } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { heartbeatIntervalSeconds, presenceConfig } from '../config/presence.config';
import { scheduleConfig } from '../config/schedule.config';
import { stageConfig } from '../config/stage.config';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { generateChannelName } from './channel-name';
import { CallCreatedDto } from './dto/call-created.dto';
import { CallEndedDto } from './dto/end-call.dto';
import { SwitchMediaResultDto } from './dto/switch-media.dto';
import { CallDetailDto, CallRowDto } from './dto/call-row.dto';
import { CreateCallDto } from './dto/create-call.dto';
import { InviteResultDto } from './dto/invite-members.dto';
import { JoinCallResponseDto } from './dto/join-call.dto';
import { LobbyWaitingDto } from './dto/lobby.dto';
import { LobbyService } from './lobby.service';
import { MyCallsQueryDto } from './dto/my-calls-query.dto';
import { CallMember, CallRole } from './entities/call-member.entity';
import { CallMedia } from './entities/call-session.entity';
import { Call, CallEndedBy } from './entities/call.entity';
import { admissionRefusal, callFullRefusal, factsOf, lobbyApplies, LobbyWait } from './admission';
import { Entry, JoinGroups } from './join-groups';
import { AssignedUids } from './assigned-uids.service';
import { CallsRepository, LiveCounts } from './calls.repository';
import { ParticipationRepository } from './participation.repository';
import { powerRefusal } from './powers';
import { ParticipationService } from './participation.service';
import { RecordingHooks } from './recording-hooks';
import { MediaKey, MediaKeys } from './media-keys.service';
import { plannedSchedule, scheduleChanges } from './schedule';
import { stageFieldsOf, stageRoleOf } from './stage-roles';
import { joinsRefused } from '../common/metrics/counters';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { EntityManager } from 'typeorm';
import { iso } from '../common/iso';
import { lobbyRowFields, lobbySettingsOf, settingsRowFields } from './call-fields';

/** A call's cap when create does not say. */
const DEFAULT_MAX_PARTICIPANTS = 50;

export function toCallRow(call: Call, role: CallRole | null): CallRowDto {
  return {
    id: call.id,
    title: call.title,
    description: call.description,
    channel_name: call.channelName,
    creator_id: call.creatorId,
    is_public: call.isPublic,
    max_participants: call.maxParticipants,
    status: call.status,
    created_at: call.createdAt.toISOString(),
    role,
    participant_count: call.activeParticipants,
    ...settingsRowFields(call),
  };
}

/** Thrown inside a join's transaction to roll back the slot it took when the member is already in. */
class AlreadyInCall extends Error {
  constructor(readonly entry: Entry) {
    super('already in the call');
  }
}

/** Thrown inside a join's transaction to roll back the slot it took when the member must wait in the lobby. */
class MustKnock extends Error {
  /** `waiting`: the member waits already, and this is their answer (nothing to write). */
  constructor(readonly waiting?: LobbyWaitingDto) {
    super('must wait in the lobby');
  }
}

/** What the service knows of a call and one member's place in it. */
interface Admission {
  call: Call;
  member: CallMember | null;
}

@Injectable()
export class CallsService {
  constructor(
    private readonly groups: JoinGroups,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
    private readonly participation: ParticipationService,
    private readonly repository: CallsRepository,
    private readonly participations: ParticipationRepository,
    private readonly clock: Clock,
    private readonly agora: AgoraChannelService,
    private readonly uids: AssignedUids,
    private readonly outbox: EventsOutbox,
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
    private readonly recordings: RecordingHooks,
    @Inject(scheduleConfig.KEY) private readonly schedule: ConfigType<typeof scheduleConfig>,
    private readonly lobby: LobbyService,
    @Inject(stageConfig.KEY) private readonly stage: ConfigType<typeof stageConfig>,
    private readonly mediaKeys: MediaKeys,
  ) {}

  /** Creates a call with the caller as its host. Creating does not join. */
  async create(user: AuthUser, dto: CreateCallDto): Promise<CallCreatedDto> {
    return toCallCreated(await this.createCall(dto, user.id, async () => undefined));
  }

  /**
   * Inserts a call with its creator as host, and `call.created`, in one transaction; `more`
   * adds to that transaction (a direct call's callee and ringing). Retries a channel-name collision.
   */
  async createCall(dto: CreateCallDto, creatorId: number, more: (manager: EntityManager, call: Call, now: Date) => Promise<void>): Promise<Call> {
    // The mode and, on a stage, its speaker cap (the host its first speaker); caps checked by mode.
    const stage = stageFieldsOf(dto, this.stage.maxParticipants, DEFAULT_MAX_PARTICIPANTS);
    // An encrypted call needs MEDIA_KEY_SECRET to key it (issue 26).
    this.mediaKeys.requireAvailable(dto.encryption);
    for (let attempt = 0; ; attempt += 1) {
      const now = this.clock.now();
      const schedule = plannedSchedule(null, dto, now);
      try {
        return await this.tx.run(async (manager) => {
          const created = await this.repository.insertCall(manager, {
            title: dto.title,
            description: dto.description ?? null,
            channelName: generateChannelName(now),
            creatorId,
            isPublic: dto.isPublic ?? false,
            maxParticipants: dto.maxParticipants ?? DEFAULT_MAX_PARTICIPANTS,
            createdAt: now,
            ...schedule,
            ...lobbySettingsOf(dto),
            ...stage,
            encryption: dto.encryption ?? 'none',
          });
          await this.outbox.record(manager, {
            type: 'call.created',
            callId: created.id,
            actorId: creatorId,
            occurredAt: now,
            data: {
              title: created.title,
              is_public: created.isPublic,
              max_participants: created.maxParticipants,
              mode: created.mode,
              ...(created.mode === 'stage' ? { max_speakers: created.maxSpeakers } : {}),
              ...scheduleChanges({ startsAt: null, endsAt: null }, schedule),
              ...lobbyRowFields(created),
              // The mode only, and only when encrypted (issue 26): never the key.
              ...(created.encryption !== 'none' ? { encryption: created.encryption } : {}),
            },
          });
          await more(manager, created, now);
          return created;
        });
      } catch (error) {
        // A channel name collision (36^9 suffixes a second): draw another.
        if (attempt >= 3 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  /** Makes users members of a call (role participant), so they may join it when it is private. */
  async invite(user: AuthUser, callId: number, userIds: number[]): Promise<InviteResultDto> {
    const { call, member } = await this.admission(callId, user.id);
    if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
    const refusal = powerRefusal('host', member?.role ?? null, user, 'invite members');
    if (refusal) throw refusal;
    const wanted = [...new Set(userIds)];
    return this.tx.run(async (manager) => {
      // The call's lock first, as for every change with events: its events commit in id order.
      await this.repository.lockCall(manager, callId);
      const already = await this.repository.membersAmong(manager, callId, wanted);
      const invited = wanted.filter((id) => !already.has(id));
      const now = this.clock.now();
      await this.repository.addMembers(manager, callId, invited, now);
      for (const userId of invited) await this.outbox.record(manager, { type: 'member.invited', callId, userId, actorId: user.id, occurredAt: now });
      return { success: true, invited, alreadyMembers: wanted.filter((id) => already.has(id)) };
    });
  }

  /**
   * Admits the caller to a call and opens their participation session.
   *
   * The slot is taken first, by one conditional UPDATE of the call's live head count, which the
   * database applies atomically (so the cap holds under any number of concurrent joins on any
   * number of instances) and which takes the call's row lock. Only then is the member's state
   * read and the admission rule applied: a removal, leave or end on another instance either
   * committed before (and is seen) or waits for this join to commit. A member already in the
   * call gets the same answer as their first join, and the slot taken goes back. Where the lobby
   * stands between the member and the call (`lobby`, `waitForHost`), the answer is the lobby's
   * `waiting` instead (202 at the route): no session, no slot, no token.
   */
  async join(user: AuthUser, callId: number, media: CallMedia = 'video'): Promise<JoinCallResponseDto | LobbyWaitingDto> {
    const entered = await this.enterOrWait(user, callId, media).catch((error: unknown) => {
      if (error instanceof DomainException) joinsRefused.inc({ code: error.code });
      throw error;
    });
    if (!('session' in entered)) return entered;
    const { call, session, role, uid, preferences, opened, recordingConsent, stageRole, mediaKey } = entered;
    // After the commit: a consenting member who just came in joins a running recording's lists.
    if (opened && recordingConsent && call.recordingId !== null) this.recordings.membershipChanged(callId, call.recordingId);
    return {
      success: true,
      channelName: call.channelName,
      callTitle: call.title,
      callId: call.id,
      uid: uid ?? (await this.tx.run((manager) => this.uids.ensure(manager, callId, user.id, this.clock.now()))),
      role,
      media: session.media,
      joinedAt: session.joinedAt.toISOString(),
      ...preferences,
      presence: { heartbeatIntervalSeconds: heartbeatIntervalSeconds(this.presence), heartbeatRequired: false },
      ...(stageRole ? { stageRole } : {}),
      ...(mediaKey ? { encryption: { mode: mediaKey.mode, key: mediaKey.key, salt: mediaKey.salt } } : {}),
    };
  }

  /**
   * A join through the lobby: where the admission rule says the member waits, the join's
   * transaction rolls back (no slot, no session) and the member knocks (`LobbyService.knock`),
   * which applies the rule again under the call's lock: if the host arrived meanwhile, enter.
   */
  private async enterOrWait(user: AuthUser, callId: number, media: CallMedia): Promise<Entry | LobbyWaitingDto> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Joins into one call that arrive while one runs here go in together (JoinGroups).
        return await this.groups.enter(callId, user, media, () => this.enter(user, callId, media));
      } catch (error) {
        if (!(error instanceof MustKnock)) throw error;
        if (error.waiting) return error.waiting;
      }
      const waiting = await this.lobby.knock(user, callId);
      if (waiting) return waiting;
      // The host came and went between the two transactions, more than once: the member tries again.
      if (attempt >= 3) throw new DomainException('DATABASE_UNAVAILABLE', 'The call changed while you were joining; try again', { retryAfterSeconds: 1 });
    }
  }

  private async enter(user: AuthUser, callId: number, media: CallMedia): Promise<Entry> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.tx.run(async (manager) => {
          const now = this.clock.now();
          const reserved = await this.participations.reserveSlot(manager, callId);
          const state = await this.participations.memberState(manager, callId, user.id);
          if (!state) throw new DomainException('CALL_NOT_FOUND', 'Call not found or ended');
          const facts = factsOf(state);
          // The lobby (issue 24): its entry is read only when it stands between the member and the call.
          const gate = lobbyApplies(facts, user) ? await this.lobby.gateOf(manager, facts, callId, user.id, now) : undefined;
          facts.gate = gate;
          const refusal = admissionRefusal(facts, user, { now, joinEarlyMinutes: this.schedule.joinEarlyMinutes });
          if (refusal instanceof LobbyWait) {
            // Waiting already (a client asking again): the answer from here; else knock under the lock.
            throw new MustKnock(gate?.entry === 'waiting' && gate.row ? await this.lobby.stillWaiting(manager, callId, state.call.title, gate.row, now) : undefined);
          }
          if (refusal) throw refusal;
          const role = state.member?.role ?? 'participant';
          const stageRole = stageRoleOf(state.call.mode, state.member);
          if (state.open) {
            // An encrypted call's current key (issue 26): one read, for encrypted calls only. None
            // that opens (another MEDIA_KEY_SECRET): minted where the transaction commits.
            const kept = await this.mediaKeys.existing(manager, state.call);
            const mediaKey = kept === null && !reserved ? await this.mediaKeys.forJoin(manager, state.call, false, now) : (kept ?? undefined);
            const entry = { call: state.call, session: state.open, role, uid: state.assignedUid, preferences: state.preferences, opened: false, recordingConsent: state.recordingConsent, stageRole, mediaKey };
            if (reserved) throw new AlreadyInCall(entry);
            return entry;
          }
          if (!reserved) throw callFullRefusal(state.call.maxParticipants);
          const session = await this.participation.open(manager, callId, user.id, media, now);
          if (!state.member) await this.participations.addMember(manager, callId, user.id, now);
          // Bound under the call's lock (reserveSlot took it): one INSERT on a member's first join.
          const uid = state.assignedUid ?? (await this.uids.assign(manager, callId, user.id, now));
          // Wait-for-host without a lobby: the host, a moderator or an admin coming in lets everyone waiting in.
          if (state.call.waitForHost && !state.call.lobby && (user.isAdmin || role !== 'participant')) await this.lobby.hostArrived(manager, callId, user.id, now);
          // An encrypted call (issue 26): a fresh key when this join took it from empty to occupied (the
          // slot just taken is counted in activeParticipants), else the current one. None: no statement.
          const mediaKey = await this.mediaKeys.forJoin(manager, state.call, true, now);
          return { call: state.call, session, role, uid, preferences: state.preferences, opened: true, recordingConsent: state.recordingConsent, stageRole, mediaKey };
        });
      } catch (error) {
        // Rolled back, so the slot it took is free again (and an encrypted call's missing key is minted now, under the lock).
        if (error instanceof AlreadyInCall) return error.entry.call.encryption !== 'none' && !error.entry.mediaKey ? { ...error.entry, mediaKey: await this.keyAgain(callId, error.entry.call) } : error.entry;
        // The unique indexes are the last line of defence: under the call's lock nothing reaches them.
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** An encrypted call's key in a transaction of its own, under the call's lock: the current one, or a new one when none opens. */
  private keyAgain(callId: number, call: Entry['call']): Promise<MediaKey | undefined> {
    return this.tx.run(async (manager) => {
      await this.participation.lockCall(manager, callId);
      return this.mediaKeys.forJoin(manager, call, false, this.clock.now());
    });
  }

  /** Closes the caller's open session in a call. Nothing open is fine: leaving is idempotent. */
  async leave(user: AuthUser, callId: number): Promise<{ success: true }> {
    const { closed, recordingId } = await this.tx.run((manager) => this.participation.closeMember(manager, callId, user.id, this.clock.now(), 'left'));
    // Nothing open: a wait in the lobby ends (leaving the lobby is this route).
    if (!closed && !(await this.lobby.left(callId, user.id))) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
    // After the commit: the lists are computed afresh, so a non-consenting member's leave sends nothing.
    if (closed && recordingId !== null) this.recordings.membershipChanged(callId, recordingId);
    return { success: true };
  }

  /** Switches the caller's open session to another medium (a new media segment starts now). */
  async switchMedia(user: AuthUser, callId: number, media: CallMedia): Promise<SwitchMediaResultDto> {
    await this.tx.run((manager) => this.participation.switchMedia(manager, callId, user, media, this.clock.now()));
    return { success: true, media };
  }

  /** The host ends their call (admins may too). */
  async endAsHost(user: AuthUser, callId: number): Promise<CallEndedDto> {
    const { member } = await this.admission(callId, user.id);
    const refusal = powerRefusal('host', member?.role ?? null, user, 'end this call', 'Only the call host can end this call');
    if (refusal) throw refusal;
    return this.end(callId, user.isAdmin && member?.role !== 'host' ? 'admin' : 'host', undefined, user.id);
  }

  /**
   * Ends a call: status `ended`, `ended_at`, every open session and segment closed at that
   * moment, in one transaction. Then, when Agora REST
   * credentials are configured, a channel-wide kicking rule (best effort: never fails the end).
   */
  async end(callId: number, endedBy: CallEndedBy, at?: Date, actorId?: number): Promise<CallEndedDto> {
    const endedAt = at ?? this.clock.now();
    const channelName = await this.tx.run((manager) => this.endWithin(manager, callId, endedBy, endedAt, endedBy === 'system', actorId));
    return { success: true, message: 'Call ended successfully', endedAt: endedAt.toISOString(), agoraKick: await this.afterEnd(callId, channelName) };
  }

  /**
   * The end itself, inside the caller's transaction: the call marked ended (`onlyIfEmpty`: only
   * while nobody is in it, as the sweeper ends idle calls), every open session closed, and
   * `call.ended`. The channel name, for `afterEnd` once the transaction has committed.
   */
  async endWithin(manager: EntityManager, callId: number, endedBy: CallEndedBy, endedAt: Date, onlyIfEmpty = false, actorId?: number): Promise<string> {
    if (!(await this.repository.markEnded(manager, callId, endedAt, endedBy, onlyIfEmpty))) {
      if (!(await this.repository.callExists(callId, manager))) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
      throw new DomainException('CALL_ALREADY_ENDED', 'Call has already ended');
    }
    await this.participation.closeAllInCall(manager, callId, endedAt, 'call_ended');
    // An encrypted call's key goes with its end (issue 26).
    await this.mediaKeys.dropWithin(manager, callId);
    await this.outbox.record(manager, { type: 'call.ended', callId, actorId, occurredAt: endedAt, data: { ended_by: endedBy } });
    return this.repository.channelNameOf(manager, callId);
  }

  /**
   * After an end has committed, whoever ended the call (host, admin, the idle sweeper, a direct
   * call declined, cancelled or missed): with Agora REST credentials a channel-wide kicking rule
   * (best effort), and its recording stops.
   */
  async afterEnd(callId: number, channelName: string): Promise<CallEndedDto['agoraKick']> {
    const agoraKick = await this.agora.kickChannel(channelName);
    await this.recordings.callEnded(callId);
    return agoraKick;
  }

  /** One call, for its members, participants and admins, with who is in it now by OTO# only. */
  async findOne(user: AuthUser, callId: number): Promise<CallDetailDto> {
    const { call, member } = await this.admission(callId, user.id);
    if (member?.removedAt && !user.isAdmin) throw new DomainException('PARTICIPANT_REMOVED', 'You were removed from this call');
    if (!member && !user.isAdmin) throw new DomainException('CALL_ACCESS_DENIED', 'Access denied to this call');
    const open = await this.participations.openSessionsByJoin(callId);
    const views = await this.repository.memberViews(callId, open.map((s) => s.userId));
    const otos = await this.users.otoNumbers(open.map((s) => s.userId));
    return {
      ...toCallRow(call, member?.role ?? null),
      ended_at: iso(call.endedAt),
      recording: call.recordingId !== null,
      participants: open.map((session) => {
        const view = views.get(session.userId);
        return {
          oto_number: otos.get(session.userId) ?? 'OTO#UNKNWN',
          role: view?.role ?? 'participant',
          joined_at: session.joinedAt.toISOString(),
          media: session.media,
          muted: { audio: view?.audioMuted ?? false, video: view?.videoMuted ?? false },
          stage_role: stageRoleOf(call.mode, view ?? null),
        };
      }),
    };
  }

  /**
   * Calls the caller can access, newest first: by default the calls they created, were invited
   * to or took part in, plus every public call that is active or paused (role null where they
   * have no place); `scope=mine` only the former. `upcoming=true`: only calls starting after now, soonest first.
   */
  async myCalls(user: AuthUser, query: MyCallsQueryDto): Promise<CallRowDto[]> {
    const upcomingAfter = query.upcoming ? this.clock.now() : undefined;
    const rows = await this.repository.callsOfMember(user.id, query.status, query.limit ?? 20, query.scope ?? 'all', upcomingAfter);
    return rows.map(({ call, role }) => toCallRow(call, role));
  }

  /** The call and the caller's membership row; 404 when the call does not exist. */
  async admission(callId: number, userId: number): Promise<Admission> {
    const { call, member } = await this.callAndMember(callId, userId);
    if (!call) throw new DomainException('CALL_NOT_FOUND', 'Call not found or ended');
    return { call, member };
  }

  /** The call (null when it does not exist) and the member's row in it (null when none), read together. */
  async callAndMember(callId: number, userId: number): Promise<{ call: Call | null; member: CallMember | null }> {
    const [call, member] = await Promise.all([this.repository.findCall(callId), this.repository.findMember(callId, userId)]);
    return { call, member };
  }

  /** The member's row in a call (their role, mute flags, removal), read fresh; null when none. */
  member(callId: number, userId: number): Promise<CallMember | null> {
    return this.repository.findMember(callId, userId);
  }

  /** What is live now, from the calls' live counts (in the caller's snapshot when given). */
  liveCounts(manager?: EntityManager): Promise<LiveCounts> {
    return this.repository.liveCounts(manager);
  }

  /** Who belongs to these calls now (not removed), by call; `among`: only these users. For the member event streams. */
  currentMembersOf(callIds: number[], among?: number[]): Promise<Map<number, Set<number>>> {
    return this.repository.currentMembersOf(callIds, among);
  }

  /** The hosts and moderators of these calls now, by call; `among`: only these users. For the staff's events on member streams (lobby, hands). */
  currentStaffOf(callIds: number[], among?: number[]): Promise<Map<number, Set<number>>> {
    return this.repository.currentMembersOf(callIds, among, ['host', 'moderator']);
  }
}

/** Whether a join's answer is the lobby's `waiting` (202) rather than the member's entry. */
export function isWaiting(answer: JoinCallResponseDto | LobbyWaitingDto): answer is LobbyWaitingDto {
  return (answer as LobbyWaitingDto).status === 'waiting';
}

/** The create answer for a new call (direct calls answer the same, plus their ringing). */
export function toCallCreated(call: Pick<Call, 'id' | 'channelName' | 'title' | 'description' | 'isPublic' | 'maxParticipants' | 'mode' | 'maxSpeakers'>): CallCreatedDto {
  return {
    callId: call.id,
    channelName: call.channelName,
    title: call.title,
    description: call.description,
    isPublic: call.isPublic,
    maxParticipants: call.maxParticipants,
    mode: call.mode,
    maxSpeakers: call.mode === 'stage' ? call.maxSpeakers : null,
  };
}
