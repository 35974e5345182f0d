import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgoraModule } from '../agora/agora.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CallsModule } from '../calls/calls.module';
import { ModerationModule } from '../moderation/moderation.module';
import { CallMediaSegment } from '../calls/entities/call-media-segment.entity';
import { CallMember } from '../calls/entities/call-member.entity';
import { CallSession } from '../calls/entities/call-session.entity';
import { Call } from '../calls/entities/call.entity';
import { UidBinding } from '../tokens/entities/uid-binding.entity';
import { AdminAnalyticsController } from './admin-analytics.controller';
import { AdminConsoleController } from './admin-console.controller';
import { AdminConsoleService } from './admin-console.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [TypeOrmModule.forFeature([Call, CallMember, CallSession, CallMediaSegment, UidBinding]), CallsModule, AnalyticsModule, AgoraModule, ModerationModule],
  controllers: [AdminController, AdminAnalyticsController, AdminConsoleController],
  providers: [AdminService, AdminConsoleService],
})
export class AdminModule {}
