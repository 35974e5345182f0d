import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { assertConfig, checkEnv, isProduction, toInt } from './env';

/** Development placeholders: tokens built with them are well-formed but Agora rejects them. */
export const DEV_AGORA_APP_ID = '0123456789abcdef0123456789abcdef';
export const DEV_AGORA_APP_CERTIFICATE = 'fedcba9876543210fedcba9876543210';

const HEX32 = /^[0-9a-fA-F]{32}$/;
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

class AgoraEnv {
  @IsOptional()
  @Matches(HEX32, { message: 'AGORA_APP_ID must be 32 hexadecimal characters' })
  AGORA_APP_ID?: string;

  @IsOptional()
  @Matches(HEX32, { message: 'AGORA_APP_CERTIFICATE must be 32 hexadecimal characters' })
  AGORA_APP_CERTIFICATE?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'AGORA_TOKEN_TTL_SECONDS must be a whole number of seconds' })
  @Min(60)
  @Max(86400, { message: 'AGORA_TOKEN_TTL_SECONDS must be at most 86400 (Agora privileges last 24 hours at most)' })
  AGORA_TOKEN_TTL_SECONDS?: number;

  @IsOptional()
  @IsString()
  AGORA_CUSTOMER_ID?: string;

  @IsOptional()
  @IsString()
  AGORA_CUSTOMER_SECRET?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'AGORA_API_BASE_URL must be an http(s) URL' })
  AGORA_API_BASE_URL?: string;

  @IsOptional()
  @Matches(/^(off|https?:\/\/.+)$/, { message: 'AGORA_HEALTH_URL must be an http(s) URL or "off"' })
  AGORA_HEALTH_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  AGORA_HEALTH_CACHE_SECONDS?: number;
}

export interface AgoraConfig {
  appId: string;
  appCertificate: string;
  usingDevCredentials: boolean;
  tokenTtlSeconds: number;
  /** Channel-management REST credentials; both set or the kicking rule is skipped. */
  customerId?: string;
  customerSecret?: string;
  apiBaseUrl: string;
  /** URL probed by /api/health; undefined when the probe is off. */
  healthUrl?: string;
  healthCacheSeconds: number;
}

export function loadAgoraConfig(env: NodeJS.ProcessEnv = process.env): AgoraConfig {
  const { values: v, problems } = checkEnv(AgoraEnv, env);
  if (isProduction(env)) {
    if (!v.AGORA_APP_ID) problems.push('AGORA_APP_ID is required when NODE_ENV=production');
    if (!v.AGORA_APP_CERTIFICATE) problems.push('AGORA_APP_CERTIFICATE is required when NODE_ENV=production');
  }
  if (Boolean(v.AGORA_CUSTOMER_ID) !== Boolean(v.AGORA_CUSTOMER_SECRET)) {
    problems.push('AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET must be set together');
  }
  assertConfig(problems);
  const apiBaseUrl = (v.AGORA_API_BASE_URL ?? 'https://api.agora.io').replace(/\/+$/, '');
  return {
    appId: v.AGORA_APP_ID ?? DEV_AGORA_APP_ID,
    appCertificate: v.AGORA_APP_CERTIFICATE ?? DEV_AGORA_APP_CERTIFICATE,
    usingDevCredentials: !v.AGORA_APP_ID || !v.AGORA_APP_CERTIFICATE,
    tokenTtlSeconds: v.AGORA_TOKEN_TTL_SECONDS ?? 86400,
    customerId: v.AGORA_CUSTOMER_ID,
    customerSecret: v.AGORA_CUSTOMER_SECRET,
    apiBaseUrl,
    healthUrl: v.AGORA_HEALTH_URL === 'off' ? undefined : (v.AGORA_HEALTH_URL ?? `${apiBaseUrl}/`),
    healthCacheSeconds: v.AGORA_HEALTH_CACHE_SECONDS ?? 60,
  };
}

export const agoraConfig = registerAs('agora', () => loadAgoraConfig());
