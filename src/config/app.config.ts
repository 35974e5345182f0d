import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { toInt, validateEnv } from './env';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

class AppEnv {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: LogLevel;

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  @Matches(/^[^?#]*$/, { message: 'PUBLIC_BASE_URL must not have a query or fragment' })
  PUBLIC_BASE_URL?: string;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  logLevel: LogLevel;
  /** Origins allowed by CORS; empty means CORS stays off. `*` allows any origin. */
  corsOrigins: string[];
  /**
   * Where clients reach this service (scheme, host, port, and a path prefix when a proxy adds
   * one), without a trailing slash: the OpenAPI document's `servers` entry, which generated
   * clients use as their base URL. Paths (`/api/...`) are appended to it.
   */
  publicBaseUrl: string;
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const v = validateEnv(AppEnv, env);
  const nodeEnv = (v.NODE_ENV ?? 'development') as AppConfig['nodeEnv'];
  const port = v.PORT ?? 3000;
  return {
    nodeEnv,
    port,
    logLevel: v.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    corsOrigins: (v.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    publicBaseUrl: (v.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
  };
}

export const appConfig = registerAs('app', () => loadAppConfig());
