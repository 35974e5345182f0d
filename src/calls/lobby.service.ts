import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { UsersService } from '../auth/users.service';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { lobbyConfig } from '../config/lobby.config';
import { scheduleConfig } from '../config/schedule.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { AdmissionFacts, admissionRefusal, factsOf, LobbyFacts, lobbyApplies, LobbyWait } from './admission';
import { CallsRepository } from './calls.repository';
import { LobbyAdmittedAllDto, LobbyDecisionDto, LobbyListDto, LobbyWaitingDto } from './dto/lobby.dto';
import type { CallRole } from './entities/call-member.entity';
import { LobbyState } from './entities/lobby-entry.entity';
import { LobbyRepository, LobbyRow } from './lobby.repository';
import { ParticipationService } from './participation.service';
import { powerRefusal, requirePower } from './powers';

const UNKNOWN_OTO = 'OTO#UNKNWN';

/** What `gateOf` read: the facts for the admission rule, and the member's lobby row behind them. */
export interface LobbyGate extends LobbyFacts {
  row: LobbyRow | null;
}
const NOT_IN_LOBBY = 'This member is not in the lobby of this call';

/**
 * The lobby of calls with `lobby` or `waitForHost` on (issue 24): who waits at the door, and the
 * host's, moderators' and admins' decisions. Whether a member waits is the one admission rule
 * (`admissionRefusal` in admission.ts), applied by the join to what `gateOf` reads; this service
 * keeps the rows that rule reads. Every change takes the call's row lock first (the one lock
 * order), so a knock, an admission, a denial, an admit-all and the host's arrival on any instance
 * happen one after the other: each member ends in exactly one state. Events (`lobby.waiting`,
 * `lobby.admitted`, `lobby.denied`) are written under that lock through the outbox.
 */
@Injectable()
export class LobbyService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly repository: LobbyRepository,
    private readonly participation: ParticipationService,
    private readonly calls: CallsRepository,
    private readonly users: UsersService,
    private readonly outbox: EventsOutbox,
    private readonly clock: Clock,
    @Inject(lobbyConfig.KEY) private readonly config: ConfigType<typeof lobbyConfig>,
    @Inject(scheduleConfig.KEY) private readonly schedule: ConfigType<typeof scheduleConfig>,
  ) {}

  // ---- for the join (inside its transaction, under the call's lock)

  /**
   * What the lobby knows of a member the lobby applies to (`lobbyApplies`), for the admission
   * rule: their entry while it counts, and for a wait-for-host call without `lobby` whether the
   * host, a moderator or an admin is in the call.
   */
  async gateOf(manager: EntityManager, facts: Pick<AdmissionFacts, 'lobby' | 'waitForHost'>, callId: number, userId: number, now: Date): Promise<LobbyGate> {
    const { row, gate } = await this.read(manager, facts, callId, userId, now);
    return { ...gate, row };
  }

  /**
   * The answer to a member who waits already (their entry, read by `gateOf`, is a wait that
   * counts): their place, read in the join's transaction, so a join while waiting writes nothing.
   */
  async stillWaiting(manager: EntityManager, callId: number, title: string, row: Pick<LobbyRow, 'id' | 'since'>, now: Date): Promise<LobbyWaitingDto> {
    const position = await this.repository.positionOf(manager, callId, this.waitCutoff(now), row);
    return { success: true, status: 'waiting', callTitle: title, lobby: { since: row.since.toISOString(), position } };
  }

  /**
   * The host, a moderator or an admin opened a session in a wait-for-host call without `lobby`:
   * everyone waiting comes in (`lobby.admitted`, `automatic: true`). In the join's transaction.
   */
  async hostArrived(manager: EntityManager, callId: number, hostId: number, now: Date): Promise<void> {
    const waiting = await this.repository.waiting(callId, this.waitCutoff(now), manager);
    await this.admitEach(manager, callId, waiting, hostId, now, true);
  }

  /**
   * A join that must wait: the member knocks (a new wait, `lobby.waiting`) unless they already
   * wait, and learns their place. The call's lock first, then the rule again on fresh facts:
   * null when the member may come in after all (the host arrived meanwhile), so the join tries
   * again. A refusal (ended, removed, denied, ...) is thrown.
   */
  knock(user: AuthUser, callId: number): Promise<LobbyWaitingDto | null> {
    return this.tx.run(async (manager) => {
      const now = this.clock.now();
      await this.participation.lockCall(manager, callId);
      const state = await this.participation.memberState(manager, callId, user.id);
      if (!state) throw new DomainException('CALL_NOT_FOUND', 'Call not found or ended');
      const facts = factsOf(state);
      let row: LobbyRow | null = null;
      if (lobbyApplies(facts, user)) ({ row, gate: facts.gate } = await this.read(manager, facts, callId, user.id, now));
      const refusal = admissionRefusal(facts, user, { now, joinEarlyMinutes: this.schedule.joinEarlyMinutes });
      if (!(refusal instanceof LobbyWait)) {
        if (refusal) throw refusal;
        return null;
      }
      let entry: { id: number; since: Date } | null = row && this.current(row, now) === 'waiting' ? row : null;
      if (!entry) {
        // A first knock, or again after a wait or an admission expired: a new wait from now.
        if (row) await this.repository.restartWait(manager, row.id, now);
        entry = { id: row ? row.id : await this.repository.insertWaiting(manager, callId, user.id, now), since: now };
        await this.outbox.record(manager, { type: 'lobby.waiting', callId, userId: user.id, occurredAt: now });
      }
      const position = await this.repository.positionOf(manager, callId, this.waitCutoff(now), entry);
      return { success: true, status: 'waiting', callTitle: state.call.title, lobby: { since: entry.since.toISOString(), position } };
    });
  }

  /**
   * The member left (the leave route) with no session open: a wait in the lobby ends. False when
   * the call does not exist. Nothing is written for a call without a lobby.
   */
  async left(callId: number, userId: number): Promise<boolean> {
    const settings = await this.repository.settingsOf(callId);
    if (!settings) return false;
    if (settings.lobby || settings.waitForHost) {
      await this.tx.run(async (manager) => {
        await this.participation.lockCall(manager, callId);
        await this.repository.withdraw(manager, callId, userId);
      });
    }
    return true;
  }

  // ---- the routes of hosts, moderators and admins

  /** Who waits in the call's lobby now, oldest first (host, moderator, admin). */
  async list(user: AuthUser, callId: number): Promise<LobbyListDto> {
    const [call, member] = await Promise.all([this.calls.findCall(callId), this.calls.findMember(callId, user.id)]);
    if (!call) throw new DomainException('CALL_NOT_FOUND', 'Call not found');
    const refusal = powerRefusal('moderate', member && !member.removedAt ? member.role : null, user, 'see the lobby');
    if (refusal) throw refusal;
    if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
    const waiting = await this.repository.waiting(callId, this.waitCutoff(this.clock.now()));
    const otos = await this.users.otoNumbers(waiting.map((w) => w.userId));
    return {
      success: true,
      callId,
      waiting: waiting.map((w, index) => ({ oto_number: otos.get(w.userId) ?? UNKNOWN_OTO, since: w.since.toISOString(), position: index + 1 })),
    };
  }

  /**
   * Admits or denies one member who knocked (host, moderator, admin). The member must have a
   * lobby entry and not be in the call. Admitting an admitted member or denying a denied one
   * changes nothing; otherwise the latest decision stands (a denied member may be admitted later).
   */
  async decide(user: AuthUser, callId: number, userId: number, state: Exclude<LobbyState, 'waiting'>): Promise<LobbyDecisionDto> {
    await this.tx.run(async (manager) => {
      const now = this.clock.now();
      await this.requireModerator(manager, callId, user, state === 'admitted' ? 'admit members from the lobby' : 'deny members in the lobby');
      const row = await this.repository.entryOf(manager, callId, userId);
      if (!row) throw new DomainException('NOT_IN_LOBBY', NOT_IN_LOBBY);
      const target = await this.participation.memberState(manager, callId, userId);
      if (target?.open) throw new DomainException('NOT_IN_LOBBY', 'This member is in the call already');
      if (this.current(row, now) === state) return;
      if (state === 'admitted') await this.admitEach(manager, callId, [row], user.id, now, false);
      else {
        await this.repository.decide(manager, [row.id], 'denied', now, user.id);
        await this.outbox.record(manager, { type: 'lobby.denied', callId, userId, actorId: user.id, occurredAt: now });
      }
    });
    return { success: true, oto_number: (await this.users.otoNumbers([userId])).get(userId) ?? UNKNOWN_OTO, state };
  }

  /** Admits everyone waiting in the call's lobby now (host, moderator, admin). */
  async admitAll(user: AuthUser, callId: number): Promise<LobbyAdmittedAllDto> {
    const admitted = await this.tx.run(async (manager) => {
      const now = this.clock.now();
      await this.requireModerator(manager, callId, user, 'admit members from the lobby');
      const waiting = await this.repository.waiting(callId, this.waitCutoff(now), manager);
      await this.admitEach(manager, callId, waiting, user.id, now, false);
      return waiting.map((w) => w.userId);
    });
    const otos = await this.users.otoNumbers(admitted);
    return { success: true, admitted: admitted.map((id) => otos.get(id) ?? UNKNOWN_OTO) };
  }

  // ---- helpers

  /** The call's lock and the caller's standing: 404 for no call or an ended one, 403 without the power. */
  private async requireModerator(manager: EntityManager, callId: number, user: AuthUser, action: string): Promise<CallRole | null> {
    const { call, role } = await this.participation.standing(manager, callId, user.id);
    if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
    requirePower('moderate', role, user, action);
    return role;
  }

  private async admitEach(manager: EntityManager, callId: number, rows: Array<{ id: number; userId: number }>, by: number, now: Date, automatic: boolean): Promise<void> {
    await this.repository.decide(
      manager,
      rows.map((row) => row.id),
      'admitted',
      now,
      by,
    );
    for (const row of rows) await this.outbox.record(manager, { type: 'lobby.admitted', callId, userId: row.userId, actorId: by, occurredAt: now, data: { automatic } });
  }

  private async read(manager: EntityManager, facts: Pick<AdmissionFacts, 'lobby' | 'waitForHost'>, callId: number, userId: number, now: Date): Promise<{ row: LobbyRow | null; gate: LobbyFacts }> {
    const row = await this.repository.entryOf(manager, callId, userId);
    const entry = row ? this.current(row, now) : null;
    // Only a wait-for-host call without `lobby` lets someone in on the host's presence.
    const hostPresent = entry === null || entry === 'waiting' ? Boolean(facts.waitForHost && !facts.lobby) && (await this.repository.hostPresent(manager, callId)) : false;
    return { row, gate: { entry, hostPresent } };
  }

  /** A row's state while it counts: a wait for `LOBBY_WAIT_MINUTES`, an admission for `LOBBY_ADMISSION_MINUTES`, a denial until admitted. */
  private current(row: Pick<LobbyRow, 'state' | 'since' | 'decidedAt'>, now: Date): LobbyState | null {
    if (row.state === 'denied') return 'denied';
    if (row.state === 'waiting') return row.since.getTime() > this.waitCutoff(now).getTime() ? 'waiting' : null;
    return row.decidedAt && row.decidedAt.getTime() > now.getTime() - this.config.admissionMs ? 'admitted' : null;
  }

  private waitCutoff(now: Date): Date {
    return new Date(now.getTime() - this.config.waitMs);
  }
}
