import { Module } from '@nestjs/common';
import { AnalyticsRollup } from './analytics-rollup.service';
import { AnalyticsRollupJob } from './analytics-rollup.job';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsService } from './analytics.service';

/** Per-day aggregates: folded from the raw records by the rollup job, read by admin analytics. */
@Module({
  providers: [AnalyticsRollup, AnalyticsRollupJob, AnalyticsService, AnalyticsRepository],
  exports: [AnalyticsRollup, AnalyticsService],
})
export class AnalyticsModule {}
