import { Module } from '@nestjs/common';
import { AnalyticsRecorder } from './analytics-recorder.service';

/** Per-day aggregates: written by the calls feature as things happen, read by admin analytics. */
@Module({
  providers: [AnalyticsRecorder],
  exports: [AnalyticsRecorder],
})
export class AnalyticsModule {}
