import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { AnalyticsRollup } from './analytics-rollup.service';
import { AnalyticsService } from './analytics.service';

/** Per-day aggregates: folded from the raw records by the rollup job, read by admin analytics. */
@Module({
  imports: [CallsModule],
  providers: [AnalyticsRollup, AnalyticsService],
  exports: [AnalyticsRollup, AnalyticsService],
})
export class AnalyticsModule {}
