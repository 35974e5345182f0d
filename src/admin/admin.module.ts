import { Module } from '@nestjs/common';
import { AgoraModule } from '../agora/agora.module';
import { AnalyticsModule } from '../analytics/analytics.module';
import { CallsModule } from '../calls/calls.module';
import { ModerationModule } from '../moderation/moderation.module';
import { AdminAnalyticsController } from './admin-analytics.controller';
import { AdminConsoleController } from './admin-console.controller';
import { AdminConsoleRepository } from './admin-console.repository';
import { AdminConsoleService } from './admin-console.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [CallsModule, AnalyticsModule, AgoraModule, ModerationModule],
  controllers: [AdminController, AdminAnalyticsController, AdminConsoleController],
  providers: [AdminService, AdminConsoleService, AdminConsoleRepository],
})
export class AdminModule {}
