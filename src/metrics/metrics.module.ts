import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Prometheus metrics at GET /metrics; the counters themselves live in src/common/metrics/counters.ts (every feature counts there). */
@Module({
  imports: [CallsModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
