import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgoraModule } from '../agora/agora.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { CallsController } from './calls.controller';
import { CallsService } from './calls.service';
import { CallMediaSegment } from './entities/call-media-segment.entity';
import { CallMember } from './entities/call-member.entity';
import { CallSession } from './entities/call-session.entity';
import { Call } from './entities/call.entity';
import { ParticipationService } from './participation.service';
import { CallsRepository } from './calls.repository';
import { AssignedUids } from './assigned-uids.service';
import { DirectCallsController } from './direct-calls.controller';
import { DirectCallsService } from './direct-calls.service';
import { RecordingHooks } from './recording-hooks';

@Module({
  imports: [TypeOrmModule.forFeature([Call, CallMember, CallSession, CallMediaSegment]), PreferencesModule, AgoraModule],
  controllers: [CallsController, DirectCallsController],
  providers: [CallsService, ParticipationService, CallsRepository, AssignedUids, RecordingHooks, DirectCallsService],
  exports: [CallsService, ParticipationService, CallsRepository, AssignedUids, RecordingHooks, DirectCallsService],
})
export class CallsModule {}
