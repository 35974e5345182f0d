import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CallsModule } from '../calls/calls.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { EventsModule } from '../events/events.module';
import { RetentionService } from './retention.service';

/**
 * The daily retention job: raw call records, webhook notices and recordings past their
 * retention period are deleted; the per-day analytics aggregates stay.
 */
@Module({
  imports: [CallsModule, AnalyticsModule, RecordingsModule, EventsModule],
  providers: [RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
