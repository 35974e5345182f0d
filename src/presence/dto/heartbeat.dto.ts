import { ApiProperty } from '@nestjs/swagger';
export class HeartbeatResultDto {
  /** @example true */
  success: boolean;
  /**
   * From now on this session is held to this timeout: without another heartbeat (or Agora's
   * webhooks or channel user list saying the member is there) it closes at its last heartbeat.
   * @example 120
   */
  @ApiProperty({ type: 'integer' })
  timeoutSeconds: number;
}
