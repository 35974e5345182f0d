import { Module } from '@nestjs/common';
import { AnalyticsRecorder } from './analytics-recorder.service';
import { AnalyticsService } from './analytics.service';

/** Per-day aggregates: written by the calls feature as things happen, read by admin analytics. */
@Module({
  providers: [AnalyticsRecorder, AnalyticsService],
  exports: [AnalyticsRecorder, AnalyticsService],
})
export class AnalyticsModule {}
