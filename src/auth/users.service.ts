import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { AuthUser, isAdminRole, isMemberStage } from './auth-user';
import { User } from './entities/user.entity';
import { IkootaClaims } from './jwt-claims';
import { UsersRepository } from './users.repository';

const OTO_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** How often a returning member's `last_seen_at` is written, at most. */
const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;
const CACHE_LIMIT = 100_000;
/** How long a returning member's `last_seen_at` waits to be written with others' (one UPDATE for all). */
const LAST_SEEN_FLUSH_MS = 1_000;
/** The most members one such UPDATE names. */
const LAST_SEEN_BATCH = 500;

/** A Converse Identity from a cryptographic random source: `OTO#` and 6 of A-Z0-9. */
export function generateOtoNumber(): string {
  let suffix = '';
  for (let i = 0; i < 6; i += 1) suffix += OTO_ALPHABET[randomInt(OTO_ALPHABET.length)];
  return `OTO#${suffix}`;
}

interface CachedUser {
  user: AuthUser;
  writtenAt: number;
  claimedOto?: string;
}

/**
 * Keeps the `users` table in step with the claims of the tokens members present, and turns
 * claims into an AuthUser. A member's row is written when first seen, when the claims change,
 * and at most once a minute otherwise, so the hot path is usually a map look-up.
 */
@Injectable()
export class UsersService implements OnApplicationShutdown {
  private readonly logger = new Logger(UsersService.name);
  private readonly cache = new Map<number, CachedUser>();
  /** Returning members whose `last_seen_at` is due, written together (`flushLastSeen`). */
  private readonly seen = new Map<number, Date>();
  private flushing?: NodeJS.Timeout;
  private readonly forgottenListeners = new Set<(userId: number) => void>();

  constructor(
    private readonly users: UsersRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async resolve(claims: IkootaClaims): Promise<AuthUser> {
    const cached = this.cache.get(claims.userId);
    const now = Date.now();
    if (
      cached &&
      cached.user.membershipStage === claims.membershipStage &&
      cached.user.role === claims.role &&
      cached.claimedOto === claims.converseId &&
      now - cached.writtenAt < LAST_SEEN_WRITE_INTERVAL_MS
    ) {
      return cached.user;
    }
    const row = (await this.returning(claims, new Date(now))) ?? (await this.upsert(claims, new Date(now)));
    const user = toAuthUser(row);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.delete(claims.userId);
    this.cache.set(claims.userId, { user, writtenAt: now, claimedOto: claims.converseId });
    return user;
  }

  onApplicationShutdown(): Promise<void> {
    return this.flushLastSeen();
  }

  /**
   * A member this service knows, whose row says what the claims say: read without a transaction,
   * and their `last_seen_at`, when due, written shortly after with other members' (a town hall's
   * members arriving at once write one UPDATE a second, not one transaction each). Undefined when
   * the row must be written now (`upsert`): a new member, new claims, or a claimed OTO#.
   */
  private async returning(claims: IkootaClaims, now: Date): Promise<User | undefined> {
    const row = await this.users.findUser(claims.userId);
    if (!row || row.membershipStage !== claims.membershipStage || row.role !== claims.role || (claims.converseId && claims.converseId !== row.otoNumber)) return undefined;
    if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_WRITE_INTERVAL_MS) {
      this.seen.set(row.id, now);
      this.flushing ??= setTimeout(() => void this.flushLastSeen(), LAST_SEEN_FLUSH_MS).unref();
    }
    return row;
  }

  /** Writes the `last_seen_at` of the members seen since the last flush. Best effort: a failure is logged. */
  async flushLastSeen(): Promise<void> {
    clearTimeout(this.flushing);
    this.flushing = undefined;
    const due = [...this.seen];
    this.seen.clear();
    for (let start = 0; start < due.length; start += LAST_SEEN_BATCH) {
      const batch = due.slice(start, start + LAST_SEEN_BATCH);
      const at = new Date(Math.max(...batch.map(([, seenAt]) => seenAt.getTime())));
      try {
        await this.tx.run((manager) => this.users.touchUsers(manager, batch.map(([id]) => id), at));
      } catch (error) {
        this.logger.warn({ msg: 'could not write members last_seen_at; written at their next visit', members: batch.length, error: { type: (error as Error).name, message: (error as Error).message } });
      }
    }
  }

  /** OTO# numbers of the given users, for views that list members. */
  async otoNumbers(userIds: number[]): Promise<Map<number, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.users.otoNumbersOf([...new Set(userIds)]);
    return new Map(rows.map((row) => [row.id, row.otoNumber]));
  }

  /** The user id behind an OTO# number, or null when no member has it. */
  async idOfOtoNumber(otoNumber: string): Promise<number | null> {
    return this.users.holderOf(otoNumber);
  }

  /** A member as this service last saw them (their tier and role from their newest token); null when never seen. */
  async stored(userId: number): Promise<AuthUser | null> {
    const row = await this.users.findUser(userId);
    return row ? toAuthUser(row) : null;
  }

  /** Whether this service has ever seen the member. */
  known(userId: number): Promise<boolean> {
    return this.users.userExists(userId);
  }

  /**
   * Erasure (src/erasure/): deletes the member's row (their OTO# with it) in the caller's
   * transaction and forgets them here once it commits, so their next token makes a new row: a
   * new member, whose OTO# is the token's `converse_id` or a new random one. 1 or 0.
   */
  async erase(manager: EntityManager, userId: number): Promise<number> {
    this.forgetCached(userId);
    this.tx.afterCommit(manager, () => {
      this.forgetCached(userId);
      for (const listener of this.forgottenListeners) listener(userId);
    });
    return this.users.deleteUser(manager, userId);
  }

  /** Drops what this instance remembers of a member (their erasure, here or on another instance). */
  forgetCached(userId: number): void {
    this.cache.delete(userId);
    this.seen.delete(userId);
  }

  /** Told, after an erasure commits, which member was erased (other instances forget them through Redis). */
  onErased(listener: (userId: number) => void): void {
    this.forgottenListeners.add(listener);
  }

  private async upsert(claims: IkootaClaims, now: Date): Promise<User> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        return await this.tx.run(async (manager) => {
          const existing = await this.users.findUser(claims.userId, manager);
          if (existing) {
            existing.membershipStage = claims.membershipStage;
            existing.role = claims.role;
            existing.lastSeenAt = now;
            if (claims.converseId && claims.converseId !== existing.otoNumber) {
              if ((await this.users.holderOf(claims.converseId, manager)) === null) existing.otoNumber = claims.converseId;
            }
            await this.users.updateUser(manager, existing.id, {
              membershipStage: existing.membershipStage,
              role: existing.role,
              lastSeenAt: now,
              otoNumber: existing.otoNumber,
            });
            return existing;
          }
          const claimed = claims.converseId && (await this.users.holderOf(claims.converseId, manager)) === null;
          const user = Object.assign(new User(), {
            id: claims.userId,
            otoNumber: claimed ? claims.converseId : generateOtoNumber(),
            membershipStage: claims.membershipStage,
            role: claims.role,
            firstSeenAt: now,
            lastSeenAt: now,
          });
          await this.users.insertUser(manager, user);
          return user;
        });
      } catch (error) {
        // Two first requests of one member raced, or a generated OTO# collided: try again.
        if (!isUniqueViolation(error)) throw error;
        this.logger.debug({ msg: 'users upsert retried after a unique conflict', attempt });
      }
    }
    throw new Error('Could not store the member after 5 attempts');
  }
}

export function toAuthUser(row: Pick<User, 'id' | 'otoNumber' | 'membershipStage' | 'role'>): AuthUser {
  const isAdmin = isAdminRole(row.role);
  return {
    id: row.id,
    otoNumber: row.otoNumber,
    membershipStage: row.membershipStage,
    role: row.role,
    isAdmin,
    isMember: isMemberStage(row.membershipStage),
  };
}
