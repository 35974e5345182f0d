import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { AgoraRecordingClient } from './agora-recording.client';
import { RecordingFiles } from './recording-files.service';
import { RecordingMembership } from './recording-membership.service';
import { RecordingRetention } from './recording-retention.service';
import { RecordingStates } from './recording-states.service';
import { RecordingsAdminController } from './recordings-admin.controller';
import { RecordingsAdminService } from './recordings-admin.service';
import { RecordingsReconcileJob } from './recordings-reconcile.job';
import { RecordingsController } from './recordings.controller';
import { RecordingsRepository } from './recordings.repository';
import { RecordingsService } from './recordings.service';

/**
 * Recording with consent on Agora Cloud Recording: the routes (RecordingsService), the state
 * changes (RecordingStates), the membership observer registered with the calls feature's
 * RecordingHooks (RecordingMembership), the reconcile job, the files' retention in the bucket,
 * and the admin list.
 */
@Module({
  imports: [CallsModule, PreferencesModule],
  controllers: [RecordingsController, RecordingsAdminController],
  providers: [RecordingsService, RecordingStates, RecordingMembership, RecordingsReconcileJob, RecordingsRepository, AgoraRecordingClient, RecordingFiles, RecordingRetention, RecordingsAdminService],
  exports: [RecordingStates, RecordingRetention],
})
export class RecordingsModule {}
