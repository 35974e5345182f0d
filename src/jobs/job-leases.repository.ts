import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JobLock } from './entities/job-lock.entity';

/** The `job_locks` table's SQL: one lease row per job name. */
@Injectable()
export class JobLeasesRepository {
  /** Makes the job's row when it has none yet (an expired, ownerless lease). */
  async ensureLease(manager: EntityManager, name: string): Promise<void> {
    await manager.createQueryBuilder().insert().into(JobLock).values({ name, owner: '', expiresAt: new Date(0) }).orIgnore().execute();
  }

  /** Takes the lease for `owner` until `expiresAt` when it expired before `now` or is already theirs; true when taken. */
  async takeLease(manager: EntityManager, name: string, owner: string, now: Date, expiresAt: Date): Promise<boolean> {
    const taken = await manager
      .createQueryBuilder()
      .update(JobLock)
      .set({ owner, expiresAt })
      .where('name = :name AND (expires_at < :now OR owner = :owner)', { name, now, owner })
      .execute();
    return taken.affected === 1;
  }

  /** Ends `owner`'s lease now. */
  async endLease(manager: EntityManager, name: string, owner: string): Promise<void> {
    await manager.createQueryBuilder().update(JobLock).set({ expiresAt: new Date(0) }).where('name = :name AND owner = :owner', { name, owner }).execute();
  }
}
