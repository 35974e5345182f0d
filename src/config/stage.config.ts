import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { toInt, validateEnv } from './env';

/** The most a stage may ever be set to hold; the request DTOs validate `maxParticipants` against it, the service against the configured cap. */
export const STAGE_PARTICIPANTS_CEILING = 100_000;

class StageEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'STAGE_MAX_PARTICIPANTS must be a whole number of participants' })
  @Min(2)
  @Max(STAGE_PARTICIPANTS_CEILING)
  STAGE_MAX_PARTICIPANTS?: number;
}

/** Stages (calls in `stage` mode): how many members one may hold. */
export interface StageConfig {
  /** The largest `maxParticipants` a stage may be created or edited with (a conference stays at 500). */
  maxParticipants: number;
}

export function loadStageConfig(env: NodeJS.ProcessEnv = process.env): StageConfig {
  const v = validateEnv(StageEnv, env);
  return { maxParticipants: v.STAGE_MAX_PARTICIPANTS ?? 10_000 };
}

export const stageConfig = registerAs('stage', () => loadStageConfig());
