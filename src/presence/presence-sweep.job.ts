import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { jobsConfig } from '../config/jobs.config';
import { frequently, Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { PresenceSweeper } from './presence-sweeper.service';

/** `presence-sweeper`: closes sessions on evidence that their members are gone, and ends idle calls (PresenceSweeper.sweep). */
@Job('presence-sweeper')
@Injectable()
export class PresenceSweepJob implements ScheduledJob {
  constructor(
    private readonly sweeper: PresenceSweeper,
    @Inject(jobsConfig.KEY) private readonly jobs: ConfigType<typeof jobsConfig>,
  ) {}

  schedule(): JobSchedule {
    return frequently(this.jobs.sweepIntervalSeconds * 1000);
  }

  run(): Promise<unknown> {
    return this.sweeper.sweep();
  }
}
