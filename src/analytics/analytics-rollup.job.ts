import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { analyticsConfig } from '../config/analytics.config';
import { Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
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
    const everyMs = this.config.rollupIntervalSeconds * 1000;
    return { everyMs, leaseMs: Math.max(everyMs * 4, 60_000) };
  }

  run(): Promise<unknown> {
    return this.rollup.foldAll();
  }
}
