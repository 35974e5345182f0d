import { ApiProperty } from '@nestjs/swagger';
import { CALL_STATUSES } from '../../calls/call-fields';
import type { CallStatus } from '../../calls/entities/call.entity';

/** A live call among the busiest. */
export class BusyCallDto {
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  id: number;
  /** @example "Weekly Team Meeting" */
  title: string;
  /** @example "active" */
  @ApiProperty({ enum: CALL_STATUSES })
  status: CallStatus;
  /** Members in the call right now. @example 8 */
  @ApiProperty({ type: 'integer' })
  participants: number;
  /** @example 12 */
  @ApiProperty({ type: 'integer' })
  peak_participants: number;
  /** @example 25 */
  @ApiProperty({ type: 'integer' })
  max_participants: number;
  /** @example "2023-12-01T10:00:00.000Z" */
  created_at: string;
}

export class AdminOverviewDto {
  /** When these figures were read. @example "2023-12-01T10:30:00.000Z" */
  generated_at: string;
  /** Calls active now. @example 3 */
  @ApiProperty({ type: 'integer' })
  active_calls: number;
  /** Calls paused now. @example 1 */
  @ApiProperty({ type: 'integer' })
  paused_calls: number;
  /** Members in active or paused calls now (open sessions). @example 17 */
  @ApiProperty({ type: 'integer' })
  participants_now: number;
  /** Participation sessions opened in the last hour: every successful join that was not a repeat. @example 24 */
  @ApiProperty({ type: 'integer' })
  joins_last_hour: number;
  /**
   * Sessions issued an Agora token in the last hour, each counted once however many tokens it
   * renewed (the service stores a session's newest token expiry, not every token). @example 20
   */
  @ApiProperty({ type: 'integer' })
  token_sessions_last_hour: number;
  /** Today (UTC) as the analytics report counts it: the date. @example "2023-12-01" */
  today: string;
  /** Audio minutes today, as `analytics?days=1`: closed media segments, split at UTC midnight. @example 125.5 */
  audio_minutes_today: number;
  /** Video minutes today, the same way. @example 310.25 */
  video_minutes_today: number;
  /** The live calls with the most members now (at most 5, most first). */
  busiest_calls: BusyCallDto[];
}
