import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { toInt, validateEnv } from './env';

class AnalyticsEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'ANALYTICS_ROLLUP_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(3600)
  ANALYTICS_ROLLUP_SECONDS?: number;
}

export interface AnalyticsConfig {
  /** How often the rollup job folds new raw rows into the per-day aggregates. */
  rollupIntervalSeconds: number;
}

export function loadAnalyticsConfig(env: NodeJS.ProcessEnv = process.env): AnalyticsConfig {
  const v = validateEnv(AnalyticsEnv, env);
  return { rollupIntervalSeconds: v.ANALYTICS_ROLLUP_SECONDS ?? 15 };
}

export const analyticsConfig = registerAs('analytics', () => loadAnalyticsConfig());
