import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner.service';
import { JobLock } from './entities/job-lock.entity';

/**
 * Database leases for scheduled jobs, so a job runs on one instance at a time however many are
 * running. A lease expires by itself, so a crashed holder never blocks the job for long.
 */
@Injectable()
export class JobLeases {
  /** Who this process is, for the lease table (no secret in it: host, pid, random tag). */
  readonly owner = `${hostname().slice(0, 30)}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** Takes (or renews) the lease on `name` for `ttlMs`. False when another instance holds it. */
  async acquire(name: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    return this.tx.run(async (manager) => {
      await manager.createQueryBuilder().insert().into(JobLock).values({ name, owner: '', expiresAt: new Date(0) }).orIgnore().execute();
      const taken = await manager
        .createQueryBuilder()
        .update(JobLock)
        .set({ owner: this.owner, expiresAt: new Date(now.getTime() + ttlMs) })
        .where('name = :name AND (expires_at < :now OR owner = :owner)', { name, now, owner: this.owner })
        .execute();
      return taken.affected === 1;
    });
  }

  /** Gives the lease back early (after the job finished). */
  async release(name: string): Promise<void> {
    await this.tx.run((manager) =>
      manager.createQueryBuilder().update(JobLock).set({ expiresAt: new Date(0) }).where('name = :name AND owner = :owner', { name, owner: this.owner }).execute(),
    );
  }
}
