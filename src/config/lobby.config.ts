import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { toInt, validateEnv } from './env';

class LobbyEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'LOBBY_WAIT_MINUTES must be a whole number of minutes' })
  @Min(1)
  @Max(1440)
  LOBBY_WAIT_MINUTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'LOBBY_ADMISSION_MINUTES must be a whole number of minutes' })
  @Min(1)
  @Max(1440)
  LOBBY_ADMISSION_MINUTES?: number;
}

/** How long a member waits in a call's lobby, and how long an admission lets them join. */
export interface LobbyConfig {
  /** A wait ends this long after the knock; the member's next join knocks again. */
  waitMs: number;
  /** An admission lets the member join (again) this long after it was given. */
  admissionMs: number;
}

export function loadLobbyConfig(env: NodeJS.ProcessEnv = process.env): LobbyConfig {
  const v = validateEnv(LobbyEnv, env);
  return {
    waitMs: (v.LOBBY_WAIT_MINUTES ?? 15) * 60_000,
    admissionMs: (v.LOBBY_ADMISSION_MINUTES ?? 10) * 60_000,
  };
}

export const lobbyConfig = registerAs('lobby', () => loadLobbyConfig());
