import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AgoraChannelService } from '../agora/agora-channel.service';
import { AnalyticsRecorder } from '../analytics/analytics-recorder.service';
import { AuthUser } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { presenceConfig } from '../config/presence.config';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { PreferencesService } from '../preferences/preferences.service';
import { generateChannelName } from './channel-name';
import { CallCreatedDto } from './dto/call-created.dto';
import { CallEndedDto } from './dto/end-call.dto';
import { SwitchMediaResultDto } from './dto/switch-media.dto';
import { HeartbeatResultDto } from './dto/heartbeat.dto';
import { CallDetailDto, CallRowDto } from './dto/call-row.dto';
import { CreateCallDto } from './dto/create-call.dto';
import { InviteResultDto } from './dto/invite-members.dto';
import { JoinCallResponseDto } from './dto/join-call.dto';
import { MyCallsQueryDto } from './dto/my-calls-query.dto';
import { CallMember, CallRole } from './entities/call-member.entity';
import { CallMedia, CallSession } from './entities/call-session.entity';
import { Call, CallEndedBy } from './entities/call.entity';
import { ParticipationService } from './participation.service';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toCallRow(call: Call, role: CallRole | null): CallRowDto {
  return {
    id: call.id,
    title: call.title,
    description: call.description,
    channel_name: call.channelName,
    creator_id: call.creatorId,
    is_public: Boolean(call.isPublic),
    max_participants: call.maxParticipants,
    status: call.status,
    created_at: call.createdAt.toISOString(),
    role,
    participant_count: call.activeParticipants,
  };
}

/** What the service knows of a call and one member's place in it. */
interface Admission {
  call: Call;
  member: CallMember | null;
}

@Injectable()
export class CallsService {
  constructor(
    @InjectRepository(Call) private readonly calls: Repository<Call>,
    @InjectRepository(CallMember) private readonly members: Repository<CallMember>,
    @InjectRepository(CallSession) private readonly sessions: Repository<CallSession>,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
    private readonly participation: ParticipationService,
    private readonly preferences: PreferencesService,
    private readonly clock: Clock,
    private readonly analytics: AnalyticsRecorder,
    private readonly agora: AgoraChannelService,
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
  ) {}

  /** Creates a call with the caller as its host. Creating does not join. */
  async create(user: AuthUser, dto: CreateCallDto): Promise<CallCreatedDto> {
    for (let attempt = 0; ; attempt += 1) {
      const now = this.clock.now();
      try {
        const call = await this.tx.run(async (manager) => {
          const created = manager.create(Call, {
            title: dto.title,
            description: dto.description ?? null,
            channelName: generateChannelName(now),
            creatorId: user.id,
            isPublic: dto.isPublic ?? false,
            maxParticipants: dto.maxParticipants ?? 50,
            status: 'active',
            activeParticipants: 0,
            peakParticipants: 0,
            createdAt: now,
            endedAt: null,
            endedBy: null,
          });
          await manager.insert(Call, created);
          await manager.insert(CallMember, { callId: created.id, userId: user.id, role: 'host', createdAt: now, removedAt: null });
          await this.analytics.callCreated(manager, created);
          return created;
        });
        return {
          callId: call.id,
          channelName: call.channelName,
          title: call.title,
          description: call.description,
          isPublic: call.isPublic,
          maxParticipants: call.maxParticipants,
        };
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
    if (!user.isAdmin && member?.role !== 'host') {
      throw new DomainException('NOT_CALL_HOST', 'Only the call host or an admin can invite members');
    }
    const wanted = [...new Set(userIds)];
    return this.tx.run(async (manager) => {
      const existing = await manager.find(CallMember, { where: { callId, userId: In(wanted) }, select: { userId: true } });
      const already = new Set(existing.map((row) => row.userId));
      const invited = wanted.filter((id) => !already.has(id));
      const now = this.clock.now();
      if (invited.length > 0) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(CallMember)
          .values(invited.map((userId) => ({ callId, userId, role: 'participant' as const, createdAt: now, removedAt: null })))
          .orIgnore()
          .execute();
      }
      return { success: true, invited, alreadyMembers: wanted.filter((id) => already.has(id)) };
    });
  }

  /**
   * Admits the caller to a call and opens their participation session.
   *
   * The slot is taken by one conditional UPDATE of the call's live head count, which the
   * database applies atomically, so the cap holds under any number of concurrent joins on any
   * number of instances. The open-session unique index makes a second, concurrent join of the
   * same member fail and roll back (freeing the slot it took); the member then gets the same
   * answer as the first join.
   */
  async join(user: AuthUser, callId: number, media: CallMedia = 'video'): Promise<JoinCallResponseDto> {
    const { call, member } = await this.admission(callId, user.id);
    if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
    if (member?.removedAt) throw new DomainException('PARTICIPANT_REMOVED', 'You were removed from this call');
    if (!call.isPublic && !member && !user.isAdmin) throw new DomainException('CALL_PRIVATE', 'Access denied to private call');

    const preferences = await this.preferences.forUser(user.id);
    const answer = (session: CallSession, role: CallRole): JoinCallResponseDto => ({
      success: true,
      channelName: call.channelName,
      callTitle: call.title,
      callId: call.id,
      role,
      media: session.media,
      joinedAt: session.joinedAt.toISOString(),
      ...preferences,
    });

    // No look-up for an open session first: the common case is a new join, and a repeated one
    // is recognised below (the call is full, or the open-session unique index refuses it).
    try {
      const session = await this.tx.run(async (manager) => {
        const now = this.clock.now();
        const reserved = await manager
          .createQueryBuilder()
          .update(Call)
          // peak first: MySQL applies SET clauses left to right, SQLite all at once; this order
          // gives both the same result.
          .set({
            peakParticipants: () => 'CASE WHEN active_participants + 1 > peak_participants THEN active_participants + 1 ELSE peak_participants END',
            activeParticipants: () => 'active_participants + 1',
          })
          .where("id = :callId AND status = 'active' AND active_participants < max_participants", { callId })
          .execute();
        if (!reserved.affected) {
          const already = await this.participation.findOpen(manager, callId, user.id);
          if (already) return already;
          const current = await manager.findOne(Call, { where: { id: callId }, select: { id: true, status: true } });
          if (!current || current.status !== 'active') throw new DomainException('CALL_ENDED', 'Call not found or ended');
          throw new DomainException('CALL_FULL', `Call is full (${call.maxParticipants} participants)`);
        }
        const opened = await this.participation.open(manager, callId, user.id, media, now);
        if (!member) {
          await manager
            .createQueryBuilder()
            .insert()
            .into(CallMember)
            .values({ callId, userId: user.id, role: 'participant', createdAt: now, removedAt: null })
            .orIgnore()
            .execute();
        }
        return opened;
      });
      return answer(session, member?.role ?? 'participant');
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Already in the call (joined before, or twice at once): the slot taken above was rolled
      // back with the refused insert, and the member gets the same answer as the first time.
      const winner = await this.sessions.findOne({ where: { callId, userId: user.id, open: 1 } });
      if (!winner) throw error;
      return answer(winner, member?.role ?? 'participant');
    }
  }

  /** Closes the caller's open session in a call. Nothing open is fine: leaving is idempotent. */
  async leave(user: AuthUser, callId: number): Promise<{ success: true }> {
    const open = await this.sessions.findOne({ where: { callId, userId: user.id, open: 1 }, select: { id: true, callId: true, joinedAt: true } });
    if (open) {
      await this.tx.run((manager) => this.participation.close(manager, open, this.clock.now(), 'left'));
    } else if (!(await this.calls.exists({ where: { id: callId } }))) {
      throw new DomainException('CALL_NOT_FOUND', 'Call not found');
    }
    return { success: true };
  }

  /** Switches the caller's open session to another medium (a new media segment starts now). */
  async switchMedia(user: AuthUser, callId: number, media: CallMedia): Promise<SwitchMediaResultDto> {
    const exists = await this.calls.exists({ where: { id: callId } });
    if (!exists) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
    await this.tx.run(async (manager) => {
      const session = await this.participation.findOpen(manager, callId, user.id);
      if (!session) throw new DomainException('NOT_A_PARTICIPANT', 'You are not in this call: join it first');
      await this.participation.switchMedia(manager, session, media, this.clock.now());
    });
    return { success: true, media };
  }

  /**
   * Confirms the caller is still in the call. Clients call it every 30 s or so; a session not
   * confirmed (by this or an Agora webhook) for the presence timeout is closed by the sweeper.
   */
  async heartbeat(user: AuthUser, callId: number): Promise<HeartbeatResultDto> {
    const now = this.clock.now();
    const confirmed = await this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .update(CallSession)
        .set({ lastSeenAt: now })
        .where('call_id = :callId AND user_id = :userId AND open = 1 AND last_seen_at < :now', { callId, userId: user.id, now })
        .execute(),
    );
    if (!confirmed.affected) {
      const open = await this.sessions.exists({ where: { callId, userId: user.id, open: 1 } });
      if (!open) {
        if (!(await this.calls.exists({ where: { id: callId } }))) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
        throw new DomainException('NOT_A_PARTICIPANT', 'You are not in this call: join it again');
      }
    }
    return { success: true, timeoutSeconds: this.presence.presenceTimeoutSeconds };
  }

  /** The host ends their call (admins may too). */
  async endAsHost(user: AuthUser, callId: number): Promise<CallEndedDto> {
    const { member } = await this.admission(callId, user.id);
    if (member?.role !== 'host' && !user.isAdmin) throw new DomainException('NOT_CALL_HOST', 'Only the call host can end this call');
    return this.end(callId, user.isAdmin && member?.role !== 'host' ? 'admin' : 'host');
  }

  /**
   * Ends a call: status `ended`, `ended_at`, every open session and segment closed at that
   * moment, and the day's aggregates updated, all in one transaction. Then, when Agora REST
   * credentials are configured, a channel-wide kicking rule (best effort: never fails the end).
   */
  async end(callId: number, endedBy: CallEndedBy, at?: Date): Promise<CallEndedDto> {
    const endedAt = at ?? this.clock.now();
    const call = await this.tx.run(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Call)
        .set({ status: 'ended', endedAt, endedBy })
        // The sweeper ends idle calls only while they are still empty.
        .where(`id = :callId AND status <> 'ended'${endedBy === 'system' ? ' AND active_participants = 0' : ''}`, { callId })
        .execute();
      if (!result.affected) {
        const exists = await manager.exists(Call, { where: { id: callId } });
        if (!exists) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
        throw new DomainException('CALL_ALREADY_ENDED', 'Call has already ended');
      }
      await this.participation.closeAllInCall(manager, callId, endedAt, 'call_ended');
      const ended = await manager.findOneOrFail(Call, { where: { id: callId } });
      await this.analytics.callEnded(manager, { id: ended.id, createdAt: ended.createdAt, endedAt, peakParticipants: ended.peakParticipants });
      return ended;
    });
    const agoraKick = await this.agora.kickChannel(call.channelName);
    return { success: true, message: 'Call ended successfully', endedAt: endedAt.toISOString(), agoraKick };
  }

  /** One call, for its members, participants and admins, with who is in it now by OTO# only. */
  async findOne(user: AuthUser, callId: number): Promise<CallDetailDto> {
    const { call, member } = await this.admission(callId, user.id);
    if (member?.removedAt && !user.isAdmin) throw new DomainException('PARTICIPANT_REMOVED', 'You were removed from this call');
    if (!member && !user.isAdmin) throw new DomainException('CALL_ACCESS_DENIED', 'Access denied to this call');
    const open = await this.sessions.find({ where: { callId, open: 1 }, order: { joinedAt: 'ASC' } });
    const roles = await this.members.find({ where: { callId, userId: In(open.map((s) => s.userId)) }, select: { userId: true, role: true } });
    const roleOf = new Map(roles.map((row) => [row.userId, row.role]));
    const otos = await this.users.otoNumbers(open.map((s) => s.userId));
    return {
      ...toCallRow(call, member?.role ?? null),
      ended_at: iso(call.endedAt),
      participants: open.map((session) => ({
        oto_number: otos.get(session.userId) ?? 'OTO#UNKNWN',
        role: roleOf.get(session.userId) ?? 'participant',
        joined_at: session.joinedAt.toISOString(),
        media: session.media,
      })),
    };
  }

  /** Calls the caller created, was invited to, or took part in; newest first. */
  async myCalls(user: AuthUser, query: MyCallsQueryDto): Promise<CallRowDto[]> {
    const builder = this.calls
      .createQueryBuilder('call')
      .innerJoin(CallMember, 'member', 'member.call_id = call.id AND member.user_id = :userId', { userId: user.id })
      .addSelect('member.role', 'member_role')
      .orderBy('call.created_at', 'DESC')
      .addOrderBy('call.id', 'DESC')
      .limit(query.limit ?? 20);
    if (query.status) builder.where('call.status = :status', { status: query.status });
    const { entities, raw } = await builder.getRawAndEntities<{ member_role: CallRole }>();
    return entities.map((call, index) => toCallRow(call, raw[index].member_role));
  }

  /** The call and the caller's membership row; 404 when the call does not exist. */
  async admission(callId: number, userId: number): Promise<Admission> {
    const [call, member] = await Promise.all([this.calls.findOne({ where: { id: callId } }), this.members.findOne({ where: { callId, userId } })]);
    if (!call) throw new DomainException('CALL_NOT_FOUND', 'Call not found or ended');
    return { call, member };
  }
}
