import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { isSerial } from '../database/dialect';
import { RawId, toInt } from '../database/raw-values';
import { CallMember, CallRole } from './entities/call-member.entity';
import { Call, CallStatus } from './entities/call.entity';
import { LIVE } from './call-fields';

/** How one member appears in a call's view: their role, whether they are muted, and whether they may speak on a stage. */
export interface MemberView {
  role: CallRole;
  audioMuted: boolean;
  videoMuted: boolean;
  speaker: boolean;
}

/** Which calls my-calls lists: the member's own (`mine`), or those plus public live calls (`all`). */
export type CallsScope = 'all' | 'mine';

/** What is live now: calls active and paused, and the members in them (see `liveCounts`). */
export interface LiveCounts {
  active: number;
  paused: number;
  activeParticipants: number;
  pausedParticipants: number;
}


const LOCK_CALL_SQL = 'SELECT id FROM calls WHERE id = ? FOR UPDATE';


/** Calls whose row lock a transaction (its EntityManager) already holds. */
const heldLocks = new WeakMap<EntityManager, Set<number>>();

/**
 * The SQL for calls and their members, and the call's row lock. The join and leave writes
 * (sessions, segments, the live head count, uid bindings) are in ParticipationRepository. Methods
 * that write take the caller's transaction (`EntityManager` from `TransactionRunner.run`); reads
 * default to the data source. Other features reach these rows through CallsService and
 * ParticipationService, never through this class.
 *
 * The lock order for every transaction that changes a participation is in ParticipationService.
 */
@Injectable()
export class CallsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- the call's row lock

  /** Takes the call's row lock, once per transaction however often it is asked for (no-op on SQLite). */
  async lockCall(manager: EntityManager, callId: number): Promise<void> {
    if (isSerial(manager)) return;
    const held = heldLocks.get(manager) ?? new Set<number>();
    if (held.has(callId)) return;
    await manager.query(LOCK_CALL_SQL, [callId]);
    held.add(callId);
    heldLocks.set(manager, held);
  }

  /** Records that this transaction holds the call's row lock, taken by a write to the row. */
  noteLocked(manager: EntityManager, callId: number): void {
    if (isSerial(manager)) return;
    heldLocks.set(manager, (heldLocks.get(manager) ?? new Set<number>()).add(callId));
  }

  /** The whole call row, under the call's row lock (taken here, and noted for the transaction). */
  async lockedCall(manager: EntityManager, callId: number): Promise<Call | null> {
    const query = manager.createQueryBuilder(Call, 'call').where('call.id = :callId', { callId });
    if (!isSerial(manager)) query.setLock('pessimistic_write');
    const call = await query.getOne();
    if (call) this.noteLocked(manager, callId);
    return call;
  }

  // ---- calls

  /** A new active call with its creator as host. */
  async insertCall(
    manager: EntityManager,
    fields: Pick<Call, 'title' | 'description' | 'channelName' | 'creatorId' | 'isPublic' | 'maxParticipants' | 'createdAt'> & Partial<Pick<Call, 'startsAt' | 'endsAt' | 'lobby' | 'waitForHost' | 'encryption'>> & Pick<Call, 'mode' | 'maxSpeakers' | 'speakerCount'>,
  ): Promise<Call> {
    const call = manager.create(Call, {
      startsAt: null,
      endsAt: null,
      lobby: false,
      waitForHost: false,
      encryption: 'none',
      ...fields,
      status: 'active',
      activeParticipants: 0,
      peakParticipants: 0,
      endedAt: null,
      endedBy: null,
      analyticsState: null,
      recordingId: null,
      startingSoonSentFor: null,
      endingSoonSentFor: null,
    });
    await manager.insert(Call, call);
    // On a stage the host is its first speaker (speaker_count 1).
    const speakerAt = fields.mode === 'stage' ? fields.createdAt : null;
    await manager.insert(CallMember, { callId: call.id, userId: fields.creatorId, role: 'host', createdAt: fields.createdAt, removedAt: null, speakerAt });
    return call;
  }

  findCall(callId: number): Promise<Call | null> {
    return this.dataSource.getRepository(Call).findOne({ where: { id: callId } });
  }

  callExists(callId: number, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return manager.getRepository(Call).exists({ where: { id: callId } });
  }

  /** The call's channel name (the call exists: read in the transaction that changed it). */
  async channelNameOf(manager: EntityManager, callId: number): Promise<string> {
    const call = await manager.findOneOrFail(Call, { where: { id: callId }, select: { id: true, channelName: true } });
    return call.channelName;
  }

  /**
   * Calls a member can access, newest first, with their role in each: those they belong to
   * (created, invited, took part) and, with scope `all`, every public call that is active or
   * paused (role null where they have no place). With `upcomingAfter`, only calls not ended that
   * start after it, soonest first.
   */
  async callsOfMember(userId: number, status: CallStatus | undefined, limit: number, scope: CallsScope = 'mine', upcomingAfter?: Date): Promise<Array<{ call: Call; role: CallRole | null }>> {
    const builder = this.dataSource.getRepository(Call).createQueryBuilder('call').addSelect('member.role', 'member_role').limit(limit);
    // Upcoming (scheduled calls not started yet, not ended): soonest first; else newest first.
    if (upcomingAfter) builder.orderBy('call.starts_at', 'ASC').addOrderBy('call.id', 'ASC');
    else builder.orderBy('call.created_at', 'DESC').addOrderBy('call.id', 'DESC');
    if (scope === 'mine') builder.innerJoin(CallMember, 'member', 'member.call_id = call.id AND member.user_id = :userId', { userId });
    else {
      builder
        .leftJoin(CallMember, 'member', 'member.call_id = call.id AND member.user_id = :userId', { userId })
        .where(new Brackets((q) => q.where('member.id IS NOT NULL').orWhere(`(call.is_public = 1 AND call.status ${LIVE})`)));
    }
    if (status) builder.andWhere('call.status = :status', { status });
    if (upcomingAfter) builder.andWhere(`call.starts_at > :upcomingAfter AND call.status ${LIVE}`, { upcomingAfter });
    const { entities, raw } = await builder.getRawAndEntities<{ member_role: CallRole | null }>();
    return entities.map((call, index) => ({ call, role: raw[index].member_role ?? null }));
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

  /** What is live now: calls active and paused and the members in them (from the calls' live counts). */
  async liveCounts(manager: EntityManager = this.dataSource.manager): Promise<LiveCounts> {
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

  // ---- members

  /** The member's row in a call, read in the caller's transaction. */
  memberRow(manager: EntityManager, callId: number, userId: number): Promise<CallMember | null> {
    return manager.findOne(CallMember, { where: { callId, userId } });
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

  /** Members' roles, mute flags and stage speaker flags in a call. */
  async memberViews(callId: number, userIds: number[]): Promise<Map<number, MemberView>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(CallMember)
      .find({ where: { callId, userId: In(userIds) }, select: { userId: true, role: true, audioMutedAt: true, videoMutedAt: true, speakerAt: true } });
    return new Map(rows.map((row) => [row.userId, { role: row.role, audioMuted: row.audioMutedAt !== null, videoMuted: row.videoMutedAt !== null, speaker: row.speakerAt !== null }]));
  }

  /**
   * Who belongs to these calls now (not removed), by call; `among`: only these users (those with
   * an open event stream here); `roles`: only members with these roles. For the member event streams.
   */
  async currentMembersOf(callIds: number[], among?: number[], roles?: CallRole[]): Promise<Map<number, Set<number>>> {
    const members = new Map<number, Set<number>>();
    if (callIds.length === 0 || (among && among.length === 0)) return members;
    const query = this.dataSource
      .getRepository(CallMember)
      .createQueryBuilder('m')
      .select(['m.callId', 'm.userId'])
      .where('m.call_id IN (:...callIds) AND m.removed_at IS NULL', { callIds: [...new Set(callIds)] });
    if (among) query.andWhere('m.user_id IN (:...among)', { among: [...new Set(among)] });
    if (roles) query.andWhere('m.role IN (:...roles)', { roles });
    for (const row of await query.getMany()) members.set(row.callId, (members.get(row.callId) ?? new Set<number>()).add(row.userId));
    return members;
  }

}
