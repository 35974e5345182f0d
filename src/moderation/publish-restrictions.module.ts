import { Module } from '@nestjs/common';
import { AgoraModule } from '../agora/agora.module';
import { CallsModule } from '../calls/calls.module';
import { ModerationRepository } from './moderation.repository';
import { PublishRestrictions } from './publish-restrictions.service';

/**
 * What a member may not publish in a call (`PublishRestrictions`), on its own so that the token
 * path can use it without importing the moderation routes.
 */
@Module({
  imports: [CallsModule, AgoraModule],
  providers: [PublishRestrictions, ModerationRepository],
  exports: [PublishRestrictions],
})
export class PublishRestrictionsModule {}
