import { Module } from '@nestjs/common';
import { AgoraProbeService } from './agora-probe.service';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  controllers: [HealthController],
  providers: [HealthService, AgoraProbeService],
})
export class HealthModule {}
