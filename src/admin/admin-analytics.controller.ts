import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnalyticsService } from '../analytics/analytics.service';
import { AnalyticsQueryDto } from '../analytics/dto/analytics-query.dto';
import { AnalyticsReportDto } from '../analytics/dto/analytics-report.dto';
import { AdminAccess } from '../auth/access.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { RateLimit } from '../common/throttling/rate-limit';

@ApiTags('admin')
@AdminAccess()
@Controller('calling/admin')
export class AdminAnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('analytics')
  @RateLimit('analytics')
  @ApiOperation({
    operationId: 'getAnalytics',
    summary: 'Call analytics (admin)',
    description: [
      'Aggregates over the `days` UTC days ending today (today included; 1-365, default 30), read from per-day totals kept current as calls change.',
      '`dailyStats` has one row per `groupBy` bucket (`day`, `week` starting Monday, or `month`) overlapping the window, oldest first, empty buckets included;',
      '`date` is the bucket\'s first day, so the first week or month may start before the window, but only the window\'s days are counted.',
      '`total_calls`: calls created in the bucket. `total_participants`: distinct members who joined a call in the bucket.',
      '`avg_duration`: mean seconds from creation to end of the bucket\'s calls that have ended (0 when none).',
      '`audio_minutes` / `video_minutes`: media segment time in minutes (2 decimals), split at UTC midnight; minutes count when a segment closes (media switch, leave, removal or call end), so open segments are not counted yet.',
      '`summary` gives the same totals over the whole window (members counted once), and `peakParticipants`: the most members present at once in one call created in the window, ended or still going.',
      'Aggregates only: no member is named or numbered.',
    ].join(' '),
  })
  @ApiOkResponse({ type: AnalyticsReportDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: '`days` is not an integer from 1 to 365, or `groupBy` is not day, week or month' })
  report(@Query() query: AnalyticsQueryDto): Promise<AnalyticsReportDto> {
    return this.analytics.report(query);
  }
}
