import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { AgoraRecordingClient } from './agora-recording.client';
import { RecordingFiles } from './recording-files.service';
import { RecordingRetention } from './recording-retention.service';
import { RecordingsAdminController } from './recordings-admin.controller';
import { RecordingsAdminService } from './recordings-admin.service';
import { RecordingsController } from './recordings.controller';
import { RecordingsRepository } from './recordings.repository';
import { RecordingsService } from './recordings.service';

/**
 * Recording with consent on Agora Cloud Recording, the files' retention in the bucket, and the
 * admin list. Registers itself with the calls feature's RecordingHooks (join, leave, end).
 */
@Module({
  imports: [CallsModule, PreferencesModule],
  controllers: [RecordingsController, RecordingsAdminController],
  providers: [RecordingsService, RecordingsRepository, AgoraRecordingClient, RecordingFiles, RecordingRetention, RecordingsAdminService],
  exports: [RecordingsService, RecordingRetention],
})
export class RecordingsModule {}
