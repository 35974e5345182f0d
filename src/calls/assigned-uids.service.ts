import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHmac, hkdfSync } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { authConfig } from '../config/auth.config';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { CallsRepository } from './calls.repository';
import { ParticipationRepository } from './participation.repository';

/** Agora uids are 1 .. 2^32-1 (0 is Agora's "any uid" and is never assigned). */
export const UID_SPACE = 4_294_967_295;

/**
 * The top 256 uids (4294967040 .. 4294967295) belong to the service itself, never to a member:
 * neither assigned at join nor accepted in a token request. The recorder joins as RECORDER_UID.
 */
export const SERVICE_UIDS_FROM = 4_294_967_040;
export const RECORDER_UID = 4_294_967_295;
/** The highest uid a member may have (assigned or picked). */
export const MAX_MEMBER_UID = SERVICE_UIDS_FROM - 1;

/** Whether a uid is the service's own (the one rule; the token request's validation reads MAX_MEMBER_UID). */
export function isServiceUid(uid: number): boolean {
  return uid >= SERVICE_UIDS_FROM;
}

/** The HKDF label that derives the uid key from JWT_SECRET: a fixed, versioned purpose string. */
export const UID_KEY_LABEL = 'ikoota-calling/assigned-agora-uid/v1';

/** The key assigned uids are derived under: HKDF-SHA256 of JWT_SECRET, so no new setting is needed. */
export function deriveUidKey(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(jwtSecret, 'utf8'), Buffer.alloc(0), UID_KEY_LABEL, 32));
}

/**
 * The uids a member may be assigned in a call, in the order they are tried: HMAC-SHA256 of
 * (call, member) reduced to 1 .. 2^32-1, then the next values (wrapping) when one is taken;
 * the service's own uids (`isServiceUid`) are skipped.
 * Without the key nobody can tell that two uids in two calls belong to the same member.
 */
export function* uidCandidates(key: Buffer, callId: number, userId: number): Generator<number> {
  const digest = createHmac('sha256', key).update(`${callId}:${userId}`).digest();
  yield* memberUidsFrom((digest.readUIntBE(0, 6) % UID_SPACE) + 1);
}

/** Member uids from `start` on, wrapping after 2^32-1 and skipping the service's own. */
export function* memberUidsFrom(start: number): Generator<number> {
  let uid = start;
  for (;;) {
    if (!isServiceUid(uid)) yield uid;
    uid = (uid % UID_SPACE) + 1;
  }
}

/** A collision needs another member's uid (assigned or picked) on every value tried: this many is never reached. */
const MAX_ATTEMPTS = 64;

/**
 * Each member's Agora uid in each call, assigned by the service at their first join and stored
 * in `call_uid_bindings` (`assigned = 1`), so it stays the same across rejoins whatever happens
 * to the key, and is unique in the call by the (call, uid) unique index. Also the uids members
 * pick themselves in token requests: every binding is written here.
 */
@Injectable()
export class AssignedUids {
  private readonly key: Buffer;

  constructor(
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    private readonly repository: ParticipationRepository,
    private readonly calls: CallsRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {
    this.key = deriveUidKey(auth.jwtSecret);
  }

  /**
   * Binds the member's assigned uid. The caller holds the call's lock and knows the member has
   * none yet; a value bound already (a client may have picked it) is skipped for the next.
   */
  async assign(manager: EntityManager, callId: number, userId: number, at: Date): Promise<number> {
    let attempts = 0;
    for (const uid of uidCandidates(this.key, callId, userId)) {
      if (await this.repository.bindAssignedUid(manager, callId, userId, uid, at)) return uid;
      if ((attempts += 1) >= MAX_ATTEMPTS) break;
    }
    throw new Error(`no free uid for member ${userId} in call ${callId} after ${MAX_ATTEMPTS} attempts`);
  }

  /**
   * `assign` for several members of one call (a group of joins, under the call's lock): each
   * member's first candidate in one INSERT; when one of them is bound already (a client picked
   * it), one by one instead.
   */
  async assignMany(manager: EntityManager, callId: number, userIds: number[], at: Date): Promise<Map<number, number>> {
    const first = new Map(userIds.map((userId) => [userId, uidCandidates(this.key, callId, userId).next().value as number]));
    if (new Set(first.values()).size === first.size && (await this.repository.bindAssignedUids(manager, callId, [...first].map(([userId, uid]) => ({ userId, uid })), at))) return first;
    const assigned = new Map<number, number>();
    for (const userId of userIds) assigned.set(userId, await this.assign(manager, callId, userId, at));
    return assigned;
  }

  /** The member's assigned uid, binding one now if they have none (a session opened before uids were assigned). */
  async ensure(manager: EntityManager, callId: number, userId: number, at: Date): Promise<number> {
    await this.calls.lockCall(manager, callId);
    return (await this.repository.assignedUid(manager, callId, userId)) ?? this.assign(manager, callId, userId, at);
  }

  /**
   * Binds a uid the member picked to them in the call on its first use (its own transaction).
   * False when another member holds it (a concurrent first use included: the loser reads who won).
   */
  async bindPicked(callId: number, uid: number, userId: number): Promise<boolean> {
    try {
      await this.tx.run((manager) => this.repository.bindPickedUid(manager, callId, uid, userId, this.clock.now()));
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.repository.uidOwner(callId, uid)) === userId;
    }
  }

  /** The uids each member was given tokens for in a call (assigned and picked). */
  uidsOf(callId: number, userIds: number[]): Promise<Map<number, number[]>> {
    return this.repository.uidsOf(callId, userIds);
  }
}
