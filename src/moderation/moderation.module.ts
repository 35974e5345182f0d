import { Module } from '@nestjs/common';
import { AgoraModule } from '../agora/agora.module';
import { CallsModule } from '../calls/calls.module';
import { MemberPipe } from './member.pipe';
import { ModerationController } from './moderation.controller';
import { ModerationService } from './moderation.service';
import { PublishRestrictions } from './publish-restrictions.service';

/** Calls that hosts run: pause and resume, edit, moderators, removal and mute (admins may do all of it), and what a member may not publish (`PublishRestrictions`, which the token path asks too). */
@Module({
  imports: [CallsModule, AgoraModule],
  controllers: [ModerationController],
  providers: [ModerationService, MemberPipe, PublishRestrictions],
  exports: [ModerationService, PublishRestrictions],
})
export class ModerationModule {}
