import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { analyticsConfig } from '../config/analytics.config';
import { frequently, Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { AnalyticsRollup } from './analytics-rollup.service';

/** `analytics-rollup`: folds the raw rows not counted yet into the per-day aggregates (AnalyticsRollup.foldAll). */
@Job('analytics-rollup')
@Injectable()
export class AnalyticsRollupJob implements ScheduledJob {
  constructor(
    private readonly rollup: AnalyticsRollup,
    @Inject(analyticsConfig.KEY) private readonly config: ConfigType<typeof analyticsConfig>,
  ) {}

  schedule(): JobSchedule {
    return frequently(this.config.rollupIntervalSeconds * 1000);
  }

  run(): Promise<unknown> {
    return this.rollup.foldAll();
  }
}
