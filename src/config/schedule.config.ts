import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { toInt, validateEnv } from './env';

class ScheduleEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CALL_JOIN_EARLY_MINUTES must be a whole number of minutes' })
  @Min(0, { message: 'CALL_JOIN_EARLY_MINUTES must be at least 0 (0: members join from startsAt on)' })
  @Max(240, { message: 'CALL_JOIN_EARLY_MINUTES must be at most 240' })
  CALL_JOIN_EARLY_MINUTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CALL_REMINDER_MINUTES must be a whole number of minutes' })
  @Min(1, { message: 'CALL_REMINDER_MINUTES must be at least 1' })
  @Max(1440, { message: 'CALL_REMINDER_MINUTES must be at most 1440 (a day)' })
  CALL_REMINDER_MINUTES?: number;
}

/** Scheduled calls (`startsAt`, `endsAt`): when members may join, and when they are reminded. */
export interface ScheduleConfig {
  /** Members may join this long before `startsAt` (the host, moderators and admins any time). */
  joinEarlyMinutes: number;
  /** `call.starting_soon` goes out this long before `startsAt`. */
  reminderMinutes: number;
}

export function loadScheduleConfig(env: NodeJS.ProcessEnv = process.env): ScheduleConfig {
  const v = validateEnv(ScheduleEnv, env);
  return { joinEarlyMinutes: v.CALL_JOIN_EARLY_MINUTES ?? 10, reminderMinutes: v.CALL_REMINDER_MINUTES ?? 10 };
}

export const scheduleConfig = registerAs('schedule', () => loadScheduleConfig());
