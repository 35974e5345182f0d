import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CallsErasureRepository } from './calls-erasure.repository';

/** What leaving one call for good deleted (see `CallsErasure.forgetInCall`). */
export interface ForgottenInCall {
  memberships: number;
  lobbyEntries: number;
  uidBindings: number;
}

/** What moved to the anonymous id (see `CallsErasure.anonymise`). */
export interface Anonymised {
  callsCreated: number;
  sessions: number;
  mediaSegments: number;
  rings: number;
  lobbyDecisions: number;
}

/** The lowest anonymous id: ids are negative (a JWT's user id is always positive), within a 32-bit INT column. */
const LOWEST_ANONYMOUS_ID = -2_147_483_648;

/**
 * The calls feature's part of erasing a member (the orchestration is src/erasure/): which calls
 * they have a place in, deleting that place once the caller has taken them out of the call under
 * its lock, and moving their history (sessions, segments, the calls they created, rings, lobby
 * decisions) to an anonymous id, so calls' totals and analytics stay as they were.
 */
@Injectable()
export class CallsErasure {
  constructor(private readonly repository: CallsErasureRepository) {}

  /** Calls where the member has a membership, an open session, a lobby entry or a uid binding, by id. */
  callsWithPlaceOf(userId: number): Promise<number[]> {
    return this.repository.callsWithPlaceOf(userId);
  }

  /**
   * Deletes the member's membership (with its role, mute flags and raised hand), lobby entry and
   * uid bindings in one call, in the caller's transaction, which holds the call's row lock and
   * has already closed their session there.
   */
  async forgetInCall(manager: EntityManager, callId: number, userId: number): Promise<ForgottenInCall> {
    return {
      memberships: await this.repository.deleteMember(manager, callId, userId),
      lobbyEntries: await this.repository.deleteLobbyEntry(manager, callId, userId),
      uidBindings: await this.repository.deleteUidBindings(manager, callId, userId),
    };
  }

  /**
   * A fresh anonymous id: random, negative (no JWT can carry it) and used by no call or session
   * yet. Drawn afresh for each erasure, never derived from the member's id, and stored nowhere
   * beside it, so it cannot be linked back.
   */
  async newAnonymousId(manager: EntityManager): Promise<number> {
    for (;;) {
      const id = randomInt(LOWEST_ANONYMOUS_ID, 0);
      if (!(await this.repository.idInUse(manager, id))) return id;
    }
  }

  /**
   * Moves the member's history to the anonymous id, in the caller's transaction, in the lock
   * order (calls, then sessions and segments). All of it moves in one transaction, so a retry
   * after a crash finds either everything or nothing left to move.
   */
  async anonymise(manager: EntityManager, userId: number, anonymousId: number): Promise<Anonymised> {
    const callsCreated = await this.repository.moveCreator(manager, userId, anonymousId);
    const rings = await this.repository.moveRings(manager, userId, anonymousId);
    const lobbyDecisions = await this.repository.moveLobbyDecisions(manager, userId, anonymousId);
    const { sessions, segments } = await this.repository.moveSessions(manager, userId, anonymousId);
    return { callsCreated, sessions, mediaSegments: segments, rings, lobbyDecisions };
  }
}
