import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner.service';
import { JobLeasesRepository } from './job-leases.repository';

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
    private readonly leases: JobLeasesRepository,
  ) {}

  /** Takes (or renews) the lease on `name` for `ttlMs`. False when another instance holds it. */
  async acquire(name: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    return this.tx.run(async (manager) => {
      await this.leases.ensureLease(manager, name);
      return this.leases.takeLease(manager, name, this.owner, now, new Date(now.getTime() + ttlMs));
    });
  }

  /** Gives the lease back early (after the job finished). */
  async release(name: string): Promise<void> {
    await this.tx.run((manager) => this.leases.endLease(manager, name, this.owner));
  }
}
