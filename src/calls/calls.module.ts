import { Module } from '@nestjs/common';
import { AgoraModule } from '../agora/agora.module';
import { AssignedUids } from './assigned-uids.service';
import { CallsErasureRepository } from './calls-erasure.repository';
import { CallsErasure } from './calls-erasure.service';
import { CallScheduleJob } from './call-schedule.job';
import { CallScheduleRepository } from './call-schedule.repository';
import { CallSchedule } from './call-schedule.service';
import { CallsController } from './calls.controller';
import { CallsRepository } from './calls.repository';
import { CallsService } from './calls.service';
import { DirectCallsRingJob } from './direct-calls-ring.job';
import { DirectCallsController } from './direct-calls.controller';
import { DirectCallsRepository } from './direct-calls.repository';
import { DirectCallsService } from './direct-calls.service';
import { JoinGroups } from './join-groups';
import { LobbyController } from './lobby.controller';
import { LobbyRepository } from './lobby.repository';
import { LobbyService } from './lobby.service';
import { ParticipationRepository } from './participation.repository';
import { ParticipationService } from './participation.service';
import { RecordingHooks } from './recording-hooks';
import { MediaKeys } from './media-keys.service';
import { MediaKeysRepository } from './media-keys.repository';

/**
 * Calls, their members, participation sessions, media segments and uid bindings, the call's row
 * lock, direct calls, and the lobby (inside the call's lock, with the join). Other features use
 * the exported services; the repositories stay inside.
 */
@Module({
  imports: [AgoraModule],
  controllers: [CallsController, DirectCallsController, LobbyController],
  providers: [
    CallsService, ParticipationService, CallsRepository, ParticipationRepository, AssignedUids, RecordingHooks, DirectCallsService, DirectCallsRepository, DirectCallsRingJob,
    // Scheduled calls (issue 24).
    CallSchedule, CallScheduleRepository, CallScheduleJob,
    // The lobby (issue 24).
    LobbyService, LobbyRepository,
    // Group commit of joins into one call (issue 25).
    JoinGroups,
    // Erasing a member (issue 26).
    CallsErasure, CallsErasureRepository,
    // Encrypted calls (issue 26).
    MediaKeys, MediaKeysRepository,
  ],
  exports: [CallsService, ParticipationService, AssignedUids, RecordingHooks, DirectCallsService, CallsErasure, MediaKeys],
})
export class CallsModule {}
