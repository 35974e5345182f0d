import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { MemberPipe } from '../moderation/member.pipe';
import { PublishRestrictionsModule } from '../moderation/publish-restrictions.module';
import { StageController } from './stage.controller';
import { StageRepository } from './stage.repository';
import { StageService } from './stage.service';

/** Stages: raised hands and speakers (issue 25). ModerationModule uses StageService for what role changes and removals mean on a stage. */
@Module({
  imports: [CallsModule, PublishRestrictionsModule],
  controllers: [StageController],
  providers: [StageService, StageRepository, MemberPipe],
  exports: [StageService],
})
export class StageModule {}
