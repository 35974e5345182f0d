import { Injectable } from '@nestjs/common';
import { Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { DirectCallsService, RING_JOB } from './direct-calls.service';

const RING_JOB_EVERY_MS = 5_000;

/** `direct-calls-ring`: rings nobody answered in time are missed and their calls end (DirectCallsService.expireRings). */
@Job(RING_JOB)
@Injectable()
export class DirectCallsRingJob implements ScheduledJob {
  constructor(private readonly directCalls: DirectCallsService) {}

  schedule(): JobSchedule {
    return { everyMs: RING_JOB_EVERY_MS, leaseMs: 60_000 };
  }

  run(): Promise<unknown> {
    return this.directCalls.expireRings();
  }
}
