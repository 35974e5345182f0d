import { registerAs } from '@nestjs/config';
import { IsOptional, IsString, MinLength } from 'class-validator';
import { validateEnv } from './env';

class MetricsEnv {
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;
}

export interface MetricsConfig {
  /** Bearer token GET /metrics requires; open to anyone who reaches it when unset. */
  token?: string;
}

export function loadMetricsConfig(env: NodeJS.ProcessEnv = process.env): MetricsConfig {
  const v = validateEnv(MetricsEnv, env);
  return { token: v.METRICS_TOKEN };
}

export const metricsConfig = registerAs('metrics', () => loadMetricsConfig());
