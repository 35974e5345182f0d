import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { PresenceModule } from '../presence/presence.module';
import { RetentionJob } from './retention.job';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/**
 * The daily retention job: raw call records, webhook notices and recordings past their
 * retention period are deleted; the per-day analytics aggregates stay.
 */
@Module({
  imports: [AnalyticsModule, RecordingsModule, PresenceModule],
  providers: [RetentionService, RetentionJob, RetentionRepository],
  exports: [RetentionService],
})
export class RetentionModule {}
