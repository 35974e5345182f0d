import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { assertConfig, checkEnv, toInt } from './env';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** Agora's `fileNamePrefix`: directories of letters and digits only, at most 128 characters in all. */
const PREFIX = /^[A-Za-z0-9]+(\/[A-Za-z0-9]+)*$/;

/** Agora's storage vendor for any S3-compatible store at a given endpoint. */
export const S3_COMPATIBLE_VENDOR = 11;

class RecordingEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'RECORDING_STORAGE_VENDOR must be an Agora storage vendor number (1 Amazon S3, 11 S3-compatible, ...)' })
  @Min(0)
  @Max(100)
  RECORDING_STORAGE_VENDOR?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: "RECORDING_STORAGE_REGION must be Agora's region number for the vendor" })
  @Min(0)
  @Max(100)
  RECORDING_STORAGE_REGION?: number;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'RECORDING_STORAGE_BUCKET must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)' })
  RECORDING_STORAGE_BUCKET?: string;

  @IsOptional()
  @IsString()
  RECORDING_STORAGE_ACCESS_KEY?: string;

  @IsOptional()
  @IsString()
  RECORDING_STORAGE_SECRET_KEY?: string;

  @IsOptional()
  @Matches(PREFIX, { message: 'RECORDING_STORAGE_PREFIX must be directories of letters and digits separated by /, e.g. ikoota/recordings' })
  RECORDING_STORAGE_PREFIX?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'RECORDING_STORAGE_ENDPOINT must be an http(s) URL' })
  RECORDING_STORAGE_ENDPOINT?: string;

  @IsOptional()
  @Matches(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'RECORDING_STORAGE_S3_REGION must be an S3 region name such as us-east-1' })
  RECORDING_STORAGE_S3_REGION?: string;

  @IsOptional()
  @IsIn(['communication', 'live'], { message: 'RECORDING_CHANNEL_PROFILE must be communication or live' })
  RECORDING_CHANNEL_PROFILE?: 'communication' | 'live';
}

/** Where Agora uploads recordings, and where the retention job deletes them (the same bucket). */
export interface RecordingStorage {
  vendor: number;
  region: number;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** Directories under the bucket, in order (Agora's `fileNamePrefix`). */
  prefix: string[];
  /** An S3-compatible endpoint; undefined for the vendor's own. */
  endpoint?: string;
  /** The region name the S3 client signs with. */
  s3Region: string;
}

export interface RecordingConfig {
  /** True when Agora REST credentials and the whole storage are configured. */
  enabled: boolean;
  /** Undefined while recording is off. */
  storage?: RecordingStorage;
  /** Agora's `channelType`: 0 communication, 1 live broadcasting (must match the clients' channel profile). */
  channelType: 0 | 1;
}

const STORAGE_VARIABLES = [
  'RECORDING_STORAGE_VENDOR',
  'RECORDING_STORAGE_REGION',
  'RECORDING_STORAGE_BUCKET',
  'RECORDING_STORAGE_ACCESS_KEY',
  'RECORDING_STORAGE_SECRET_KEY',
  'RECORDING_STORAGE_PREFIX',
] as const;

/**
 * Recording is on when AGORA_CUSTOMER_ID/SECRET and every RECORDING_STORAGE_* variable but the
 * optional endpoint and S3 region are set; off when none of the storage variables is. Anything
 * in between is a start-up error naming what is missing. Secrets are never part of a message.
 */
export function loadRecordingConfig(env: NodeJS.ProcessEnv = process.env): RecordingConfig {
  const { values: v, problems } = checkEnv(RecordingEnv, env);
  const channelType = v.RECORDING_CHANNEL_PROFILE === 'live' ? 1 : 0;
  const set = STORAGE_VARIABLES.filter((name) => v[name] !== undefined);
  const optionalSet = v.RECORDING_STORAGE_ENDPOINT !== undefined || v.RECORDING_STORAGE_S3_REGION !== undefined;
  if (set.length === 0 && !optionalSet) {
    assertConfig(problems);
    return { enabled: false, channelType };
  }
  const missing = STORAGE_VARIABLES.filter((name) => v[name] === undefined);
  if (missing.length > 0) problems.push(`recording storage is partly configured: ${missing.join(', ')} missing (set every RECORDING_STORAGE_* variable, or none)`);
  const customer = env.AGORA_CUSTOMER_ID?.trim() && env.AGORA_CUSTOMER_SECRET?.trim();
  if (!customer) problems.push('recording needs AGORA_CUSTOMER_ID and AGORA_CUSTOMER_SECRET (Agora Cloud Recording REST credentials)');
  if (v.RECORDING_STORAGE_VENDOR === S3_COMPATIBLE_VENDOR && !v.RECORDING_STORAGE_ENDPOINT) {
    problems.push(`RECORDING_STORAGE_ENDPOINT is required with RECORDING_STORAGE_VENDOR=${S3_COMPATIBLE_VENDOR} (S3-compatible storage)`);
  }
  assertConfig(problems);
  return {
    enabled: true,
    channelType,
    storage: {
      vendor: v.RECORDING_STORAGE_VENDOR!,
      region: v.RECORDING_STORAGE_REGION!,
      bucket: v.RECORDING_STORAGE_BUCKET!,
      accessKey: v.RECORDING_STORAGE_ACCESS_KEY!,
      secretKey: v.RECORDING_STORAGE_SECRET_KEY!,
      prefix: v.RECORDING_STORAGE_PREFIX!.split('/'),
      endpoint: v.RECORDING_STORAGE_ENDPOINT?.replace(/\/+$/, ''),
      s3Region: v.RECORDING_STORAGE_S3_REGION ?? 'us-east-1',
    },
  };
}

export const recordingConfig = registerAs('recording', () => loadRecordingConfig());
