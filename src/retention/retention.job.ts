import { Injectable } from '@nestjs/common';
import { Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { RetentionService } from './retention.service';

const DAY_MS = 86_400_000;

/** `retention`, daily: deletes what is past its retention period (RetentionService.purge). */
@Job('retention')
@Injectable()
export class RetentionJob implements ScheduledJob {
  constructor(private readonly retention: RetentionService) {}

  schedule(): JobSchedule {
    return { everyMs: DAY_MS, leaseMs: 30 * 60_000 };
  }

  run(): Promise<unknown> {
    return this.retention.purge();
  }
}
