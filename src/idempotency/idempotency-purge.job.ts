import { Injectable } from '@nestjs/common';
import { Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { Idempotency } from './idempotency.service';

const HOUR_MS = 3_600_000;

/** `idempotency-purge`, hourly: deletes Idempotency-Keys first used more than 24 hours ago (Idempotency.purge). */
@Job('idempotency-purge')
@Injectable()
export class IdempotencyPurgeJob implements ScheduledJob {
  constructor(private readonly idempotency: Idempotency) {}

  schedule(): JobSchedule {
    return { everyMs: HOUR_MS, leaseMs: 10 * 60_000 };
  }

  run(): Promise<unknown> {
    return this.idempotency.purge();
  }
}
