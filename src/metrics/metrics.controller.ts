import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/access.decorator';
import { DomainException } from '../common/exceptions/domain.exception';
import { metricsConfig } from '../config/metrics.config';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics (outside the /api prefix), Prometheus text. Not an Ikoota route: no member JWT and
 * no rate limit; METRICS_TOKEN, when set, is the one bearer token it takes.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(metricsConfig.KEY) private readonly config: ConfigType<typeof metricsConfig>,
  ) {}

  @Get()
  @Public()
  @SkipThrottle()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (this.config.token !== undefined) {
      if (!authorization) throw new DomainException('AUTH_MISSING_TOKEN', 'Authorization header with the metrics bearer token is required');
      if (!sameSecret(authorization, `Bearer ${this.config.token}`)) throw new DomainException('AUTH_INVALID_TOKEN', 'Invalid metrics token');
    }
    const { contentType, body } = await this.metrics.render();
    void reply.header('Content-Type', contentType);
    return body;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
