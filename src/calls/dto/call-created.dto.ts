import { ApiProperty } from '@nestjs/swagger';
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
}
