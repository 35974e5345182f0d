import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { IdempotencyKey } from './entities/idempotency-key.entity';

/** What a new claim, or a claim taken over, starts with. */
export interface ClaimFields {
  requestHash: string;
  claimedBy: string;
  createdAt: Date;
  lockedUntil: Date;
}

/**
 * The `idempotency_keys` table's SQL. Writes take the caller's transaction (`TransactionRunner.run`);
 * the one read defaults to the data source. Every write that follows a claim names the claim
 * (`claimed_by`), so an instance whose claim was taken over changes nothing.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Claims the key: fails with a unique violation when the member already used it. */
  async insertClaim(manager: EntityManager, userId: number, idemKey: string, claim: ClaimFields): Promise<void> {
    await manager.createQueryBuilder().insert().into(IdempotencyKey).values({ userId, idemKey, state: 'in_progress', statusCode: null, responseBody: null, ...claim }).execute();
  }

  findKey(userId: number, idemKey: string, manager: EntityManager = this.dataSource.manager): Promise<IdempotencyKey | null> {
    return manager.getRepository(IdempotencyKey).findOne({ where: { userId, idemKey } });
  }

  /** Starts the key afresh for a new claim, if `previous` still holds it (a dead instance's claim, or a key past 24 hours). */
  async takeOver(manager: EntityManager, id: number, previous: string, claim: ClaimFields): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(IdempotencyKey)
      .set({ ...claim, state: 'in_progress', statusCode: null, responseBody: null })
      .where('id = :id AND claimed_by = :previous', { id, previous })
      .execute();
    return result.affected === 1;
  }

  /**
   * Marks the claim's work committed, inside the work's transaction; false when the claim is no
   * longer `claimedBy`'s (taken over past its lease: the work must not commit).
   */
  async markCommitted(manager: EntityManager, userId: number, idemKey: string, claimedBy: string): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(IdempotencyKey)
      .set({ state: 'committed' })
      .where("user_id = :userId AND idem_key = :idemKey AND claimed_by = :claimedBy AND state = 'in_progress'", { userId, idemKey, claimedBy })
      .execute();
    return result.affected === 1;
  }

  /** Stores the claim's answer; false when the claim is no longer `claimedBy`'s. */
  async complete(manager: EntityManager, userId: number, idemKey: string, claimedBy: string, statusCode: number, responseBody: string | null): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(IdempotencyKey)
      .set({ state: 'done', statusCode, responseBody })
      .where("user_id = :userId AND idem_key = :idemKey AND claimed_by = :claimedBy AND state IN ('in_progress', 'committed')", { userId, idemKey, claimedBy })
      .execute();
    return result.affected === 1;
  }

  /**
   * Gives the claim up (its request failed on our side): the next request with the key runs. Only
   * while `in_progress`, unless `afterCommit` (the request failed after its work committed, and
   * says so with its 5xx: a retry is to run again).
   */
  async release(manager: EntityManager, userId: number, idemKey: string, claimedBy: string, afterCommit: boolean): Promise<boolean> {
    const states = afterCommit ? ['in_progress', 'committed'] : ['in_progress'];
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from(IdempotencyKey)
      .where('user_id = :userId AND idem_key = :idemKey AND claimed_by = :claimedBy AND state IN (:...states)', { userId, idemKey, claimedBy, states })
      .execute();
    return result.affected === 1;
  }

  /** Ids of keys first used before `cutoff`, oldest first. */
  async expiredKeys(manager: EntityManager, cutoff: Date, limit: number): Promise<number[]> {
    const rows = await manager.getRepository(IdempotencyKey).find({ select: { id: true }, where: { createdAt: LessThan(cutoff) }, order: { createdAt: 'ASC' }, take: limit });
    return rows.map((row) => row.id);
  }

  /** Deletes every key a member used (their erasure). */
  async deleteKeysOf(manager: EntityManager, userId: number): Promise<number> {
    return (await manager.createQueryBuilder().delete().from(IdempotencyKey).where('user_id = :userId', { userId }).execute()).affected ?? 0;
  }

  async deleteKeys(manager: EntityManager, ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await manager.createQueryBuilder().delete().from(IdempotencyKey).where('id IN (:...ids)', { ids }).execute()).affected ?? 0;
  }
}
