import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { CallMember, CallRole } from '../calls/entities/call-member.entity';
import type { CallSession } from '../calls/entities/call-session.entity';
import type { Call } from '../calls/entities/call.entity';
import { MuteRule, MutePrivilege } from './entities/mute-rule.entity';

const CALLS = 'calls';
const MEMBERS = 'call_members';
const SESSIONS = 'call_sessions';

/**
 * What hosts and moderators change, as SQL: a call's status and editable fields, members' roles
 * and mute flags, and the Agora mute rules kept for them (`call_mute_rules`, this feature's
 * table). Every method takes the caller's transaction, which holds the call's lock.
 */
@Injectable()
export class ModerationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- calls and members

  /** Pauses or resumes a call that has not ended. */
  async setStatus(manager: EntityManager, callId: number, status: 'active' | 'paused'): Promise<void> {
    await manager.createQueryBuilder().update<Call>(CALLS).set({ status }).where("id = :callId AND status <> 'ended'", { callId }).execute();
  }

  /** Changes what a host may edit on a call. */
  async updateCall(manager: EntityManager, callId: number, fields: Partial<Pick<Call, 'title' | 'description' | 'isPublic' | 'maxParticipants' | 'startsAt' | 'endsAt' | 'lobby' | 'waitForHost' | 'maxSpeakers' | 'encryption'>>): Promise<void> {
    if (Object.keys(fields).length === 0) return;
    await manager.update<Call>(CALLS, { id: callId }, fields);
  }

  async setRole(manager: EntityManager, memberId: number, role: CallRole): Promise<void> {
    await manager.update<CallMember>(MEMBERS, { id: memberId }, { role });
  }

  /** Sets or clears a member's mute flags (undefined leaves one as it is). */
  async setMuted(manager: EntityManager, memberId: number, flags: Partial<Pick<CallMember, 'audioMutedAt' | 'videoMutedAt'>>): Promise<void> {
    if (Object.keys(flags).length === 0) return;
    await manager.update<CallMember>(MEMBERS, { id: memberId }, flags);
  }

  /** Bars a member from a call (they may not rejoin nor get a token), adding the row if they had none. */
  async markRemoved(manager: EntityManager, callId: number, userId: number, at: Date): Promise<void> {
    const member = await manager.findOne<CallMember>(MEMBERS, { where: { callId, userId } });
    if (!member) await manager.insert<CallMember>(MEMBERS, { callId, userId, role: 'participant', createdAt: at, removedAt: at });
    else if (!member.removedAt) await manager.update<CallMember>(MEMBERS, { id: member.id }, { removedAt: at });
  }

  /** Whether the member ever had a session in the call. */
  tookPart(manager: EntityManager, callId: number, userId: number): Promise<boolean> {
    return manager.getRepository<CallSession>(SESSIONS).exists({ where: { callId, userId } });
  }

  // ---- Agora mute rules

  /** The Agora publish rules kept for a member's uids in a call, for the given privileges. */
  muteRulesOf(callId: number, userId: number, privileges: MutePrivilege[], manager: EntityManager = this.dataSource.manager): Promise<MuteRule[]> {
    if (privileges.length === 0) return Promise.resolve([]);
    return manager.find(MuteRule, { where: { callId, userId, privilege: In(privileges) } });
  }

  /** Keeps the ids (and ends) of publish rules Agora accepted: every one, so that all can be deleted. */
  async keepMuteRules(manager: EntityManager, rules: Array<Pick<MuteRule, 'callId' | 'userId' | 'uid' | 'privilege' | 'ruleId' | 'createdAt' | 'expiresAt'>>): Promise<void> {
    if (rules.length === 0) return;
    await manager.createQueryBuilder().insert().into(MuteRule).values(rules).updateEntity(false).execute();
  }

  async forgetMuteRules(manager: EntityManager, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.delete(MuteRule, { id: In(ids) });
  }

  /** Deletes every rule kept for the member in a call (erasure: their uids are unbound with it). The number deleted. */
  async deleteMuteRulesOf(manager: EntityManager, callId: number, userId: number): Promise<number> {
    return (await manager.delete(MuteRule, { callId, userId })).affected ?? 0;
  }
}
