import { Module } from '@nestjs/common';
import { AgoraModule } from '../agora/agora.module';
import { CallsModule } from '../calls/calls.module';
import { MemberPipe } from './member.pipe';
import { ModerationController } from './moderation.controller';
import { ModerationRepository } from './moderation.repository';
import { ModerationService } from './moderation.service';
import { PublishRestrictionsModule } from './publish-restrictions.module';
import { StageModule } from '../stage/stage.module';

/** Calls that hosts run: pause and resume, edit, moderators, removal and mute (admins may do all of it). */
@Module({
  imports: [CallsModule, AgoraModule, PublishRestrictionsModule, StageModule],
  controllers: [ModerationController],
  providers: [ModerationService, ModerationRepository, MemberPipe],
  exports: [ModerationService],
})
export class ModerationModule {}
