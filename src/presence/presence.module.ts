import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { AgoraUserListClient } from './agora-user-list.client';
import { AgoraWebhooksController } from './agora-webhooks.controller';
import { AgoraWebhooksService } from './agora-webhooks.service';
import { PresenceSweeper } from './presence-sweeper.service';
import { PresenceSweepJob } from './presence-sweep.job';
import { PresenceController } from './presence.controller';
import { PresenceRepository } from './presence.repository';
import { PresenceService } from './presence.service';

/**
 * Whether members are really in their calls, in one place: Agora's webhooks, the heartbeat
 * rule, Agora's channel user list and the sweeper that closes sessions on that evidence.
 */
@Module({
  imports: [CallsModule, RecordingsModule],
  controllers: [AgoraWebhooksController, PresenceController],
  providers: [AgoraWebhooksService, PresenceService, PresenceSweeper, PresenceSweepJob, AgoraUserListClient, PresenceRepository],
  exports: [PresenceService, PresenceSweeper],
})
export class PresenceModule {}
