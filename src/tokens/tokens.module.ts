import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { PublishRestrictionsModule } from '../moderation/publish-restrictions.module';
import { TokensController } from './tokens.controller';
import { TokensRepository } from './tokens.repository';
import { TokensService } from './tokens.service';

@Module({
  imports: [CallsModule, PublishRestrictionsModule],
  controllers: [TokensController],
  providers: [TokensService, TokensRepository],
  exports: [TokensService],
})
export class TokensModule {}
