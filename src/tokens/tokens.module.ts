import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CallMember } from '../calls/entities/call-member.entity';
import { CallSession } from '../calls/entities/call-session.entity';
import { Call } from '../calls/entities/call.entity';
import { UidBinding } from './entities/uid-binding.entity';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([Call, CallMember, CallSession, UidBinding])],
  controllers: [TokensController],
  providers: [TokensService],
  exports: [TokensService],
})
export class TokensModule {}
