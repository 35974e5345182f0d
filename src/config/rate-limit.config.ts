import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsPositive, Matches, Max, Min } from 'class-validator';
import { toInt, toNumber, validateEnv } from './env';

class RateLimitEnv {
  @IsOptional()
  @Transform(toNumber)
  @IsNumber()
  @IsPositive()
  RATE_LIMIT_SCALE?: number;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must look like redis://host:port' })
  REDIS_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'REDIS_COMMAND_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(10, { message: 'REDIS_COMMAND_TIMEOUT_MS must be at least 10' })
  @Max(60_000, { message: 'REDIS_COMMAND_TIMEOUT_MS must be at most 60000' })
  REDIS_COMMAND_TIMEOUT_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'REDIS_CIRCUIT_OPEN_MS must be a whole number of milliseconds' })
  @Min(100, { message: 'REDIS_CIRCUIT_OPEN_MS must be at least 100' })
  @Max(600_000, { message: 'REDIS_CIRCUIT_OPEN_MS must be at most 600000' })
  REDIS_CIRCUIT_OPEN_MS?: number;
}

/** Where rate-limit counters live and how the limits scale. */
export interface RateLimitConfig {
  /** Multiplies every rate limit; 1 in normal use, raised only by benchmarks. */
  scale: number;
  /** Shared rate-limit counters across instances; in memory when unset. */
  redisUrl?: string;
  /** A Redis command slower than this counts as a failure: the request counts in memory instead. */
  redisCommandTimeoutMs: number;
  /** After a failure, Redis is skipped this long before one request probes it (doubling per failed probe). */
  redisCircuitOpenMs: number;
}

export function loadRateLimitConfig(env: NodeJS.ProcessEnv = process.env): RateLimitConfig {
  const v = validateEnv(RateLimitEnv, env);
  return {
    scale: v.RATE_LIMIT_SCALE ?? 1,
    redisUrl: v.REDIS_URL,
    redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS ?? 100,
    redisCircuitOpenMs: v.REDIS_CIRCUIT_OPEN_MS ?? 3000,
  };
}

export const rateLimitConfig = registerAs('rateLimit', () => loadRateLimitConfig());
