import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
export class DatabaseHealthDto {
  /** @example "up" */
  status: 'up' | 'down';
  /** @example "sqlite" */
  type: 'sqlite' | 'mysql';
  /** @example 1 */
  @ApiProperty({ type: 'integer' })
  latencyMs: number;
  /** Why the database is down. */
  detail?: string;
}

export class AgoraReachabilityDto {
  /** @example "reachable" */
  status: 'reachable' | 'unreachable' | 'disabled';
  /** @example "2026-11-25T10:00:00.000Z" */
  checkedAt?: string;
  /** @example 42 */
  @ApiPropertyOptional({ type: 'integer' })
  latencyMs?: number;
  /** @example "ENOTFOUND" */
  detail?: string;
}

export class AgoraHealthDto {
  /** False while the service runs on the development App ID and certificate. */
  configured: boolean;
  /** Whether Customer ID/Secret are set, so removals can ask Agora to kick. */
  kickingRules: boolean;
  reachability: AgoraReachabilityDto;
}

export class HealthReportDto {
  /** `ok` while the database answers, else `error` (and HTTP 503). @example "ok" */
  status: 'ok' | 'error';
  database: DatabaseHealthDto;
  agora: AgoraHealthDto;
  /** @example 3600 */
  @ApiProperty({ type: 'integer' })
  uptimeSeconds: number;
}
