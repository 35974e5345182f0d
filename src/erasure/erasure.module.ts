import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CallsModule } from '../calls/calls.module';
import { ModerationModule } from '../moderation/moderation.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { ErasureAdminController } from './erasure-admin.controller';
import { ErasureTargetPipe } from './erasure-target.pipe';
import { ErasureService } from './erasure.service';

/** Erasing a member (issue 26): orchestrates each feature's own erasure through its exported services. */
@Module({
  imports: [CallsModule, ModerationModule, AnalyticsModule, PreferencesModule, RecordingsModule],
  controllers: [ErasureAdminController],
  providers: [ErasureService, ErasureTargetPipe],
})
export class ErasureModule {}
