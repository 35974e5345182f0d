import { Injectable, Logger } from '@nestjs/common';
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
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  private readonly cache = new Map<number, CachedUser>();

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
    const row = await this.upsert(claims, new Date(now));
    const user = toAuthUser(row);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as number);
    this.cache.delete(claims.userId);
    this.cache.set(claims.userId, { user, writtenAt: now, claimedOto: claims.converseId });
    return user;
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
    this.cache.delete(userId);
    this.tx.afterCommit(manager, () => this.cache.delete(userId));
    return this.users.deleteUser(manager, userId);
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
