import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { PageLimit } from '../../common/dto/page-limit.decorator';
import { IsKeysetCursor } from '../../common/keyset-cursor';
import { RECORDING_MODES, RECORDING_STATUSES, type RecordingMode, type RecordingStatus } from '../entities/recording.entity';

export class RecordingFileDto {
  /** The object key in the recording bucket, as Agora reported it. @example "ikoota/recordings/5f3c_call_1672531200_abc123xyz.m3u8" */
  fileName: string;
  /** `audio`, `video` or `audio_and_video`, when Agora says. @example "audio_and_video" */
  trackType?: string;
  /** Individual recordings: the recorded member's Agora uid. @example "789012" */
  uid?: string;
}

export class RecordingDto {
  /** @example 42 */
  @ApiProperty({ type: 'integer' })
  recordingId: number;
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  callId: number;
  /** @example "mix" */
  @ApiProperty({ enum: RECORDING_MODES })
  mode: RecordingMode;
  /** @example "stopped" */
  @ApiProperty({ enum: RECORDING_STATUSES })
  status: RecordingStatus;
  /** When it was asked for. @example "2023-12-01T10:00:00.000Z" */
  createdAt: string;
  /** When Agora confirmed the start; null if it never started. @example "2023-12-01T10:00:02.000Z" */
  startedAt: string | null;
  /** When it stopped or failed; null while it runs. @example "2023-12-01T10:30:00.000Z" */
  stoppedAt: string | null;
  /** Whole seconds from start to stop (to now while it runs); null if it never started. @example 1798 */
  @ApiProperty({ type: 'integer', nullable: true })
  durationSeconds: number | null;
  /** Why it failed (`agora_exited`, `start_interrupted`, ...); null otherwise. @example null */
  failure: string | null;
  /** The files Agora reported (kept RECORDING_RETENTION_DAYS after the stop). */
  files: RecordingFileDto[];
}

export class RecordingListDto {
  /** Newest first. */
  recordings: RecordingDto[];
}

export class RecordingPageDto {
  /** Newest first. */
  recordings: RecordingDto[];
  /** Pass as `cursor` for the next page; null on the last page. @example "MTcwMTQyNTAwMDAwMDo0Mg" */
  nextCursor: string | null;
}

export class AdminRecordingsQueryDto {
  /** Only recordings created at or after this instant (ISO 8601). @example "2023-12-01T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Only recordings created before this instant (ISO 8601). @example "2023-12-08T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** The `nextCursor` of the previous page. @example "MTcwMTQyNTAwMDAwMDo0Mg" */
  @IsOptional()
  @IsKeysetCursor()
  cursor?: string;

  /** Recordings per page (1-100). @example 50 */
  @PageLimit(100)
  limit?: number = 50;
}
