import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { RECORDING_MODES, RECORDING_STATUSES, type RecordingMode, type RecordingStatus } from '../entities/recording.entity';

export class StartRecordingDto {
  /** `mix`: one composite file set; `individual`: one file set per recorded member. @example "mix" */
  @IsIn(RECORDING_MODES)
  @ApiProperty({ enum: RECORDING_MODES })
  mode: RecordingMode;
}

export class RecordingStartedDto {
  /** @example 42 */
  @ApiProperty({ type: 'integer' })
  recordingId: number;
  /** @example "recording" */
  @ApiProperty({ enum: RECORDING_STATUSES })
  status: RecordingStatus;
}
