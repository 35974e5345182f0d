import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { toBool, toInt, validateEnv } from './env';

class JobsEnv {
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'JOBS_ENABLED must be true or false' })
  JOBS_ENABLED?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  SWEEP_INTERVAL_SECONDS?: number;
}

/** The scheduled jobs of this instance. */
export interface JobsConfig {
  /** Scheduled jobs (sweeper, retention) on this instance; tests turn them off and run them by hand. */
  jobsEnabled: boolean;
  /** How often the presence sweeper runs. */
  sweepIntervalSeconds: number;
}

export function loadJobsConfig(env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const v = validateEnv(JobsEnv, env);
  return { jobsEnabled: v.JOBS_ENABLED ?? true, sweepIntervalSeconds: v.SWEEP_INTERVAL_SECONDS ?? 30 };
}

export const jobsConfig = registerAs('jobs', () => loadJobsConfig());
