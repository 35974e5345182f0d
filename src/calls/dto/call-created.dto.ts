import { ApiProperty } from '@nestjs/swagger';
import { CALL_MODES, type CallMode } from '../entities/call.entity';
export class CallCreatedDto {
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  callId: number;
  /** @example "call_1672531200_abc123xyz" */
  channelName: string;
  /** @example "Weekly Team Meeting" */
  title: string;
  /** @example "Discuss project progress and next steps" */
  description: string | null;
  /** @example false */
  isPublic: boolean;
  /** @example 25 */
  @ApiProperty({ type: 'integer' })
  maxParticipants: number;
  /** `conference` or `stage` (issue 25). @example "conference" */
  @ApiProperty({ enum: [...CALL_MODES] })
  mode: CallMode;
  /** Stages: how many members may publish; null on a conference. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  maxSpeakers: number | null;
}
