import { Injectable } from '@nestjs/common';
import { Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { CallSchedule } from './call-schedule.service';

/** Often enough that a call ends within seconds of its `ends_at` (it is dated `ends_at` anyway) and reminders are on time. */
const SCHEDULE_JOB_EVERY_MS = 5_000;

/** `call-schedule`: ends calls at their `ends_at`, and sends `call.starting_soon` and `call.ending_soon` (CallSchedule.run). */
@Job('call-schedule')
@Injectable()
export class CallScheduleJob implements ScheduledJob {
  constructor(private readonly calls: CallSchedule) {}

  schedule(): JobSchedule {
    return { everyMs: SCHEDULE_JOB_EVERY_MS, leaseMs: 60_000 };
  }

  run(): Promise<unknown> {
    return this.calls.run();
  }
}
