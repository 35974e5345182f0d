import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ADMISSION_REFUSALS } from '../calls/admission';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { HeartbeatResultDto } from './dto/heartbeat.dto';
import { PresenceService } from './presence.service';

@ApiTags('calls')
@MemberAccess()
@Controller('calling')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Post(':callId/heartbeat')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'sendHeartbeat',
    summary: 'Confirm presence in a call (optional)',
    description:
      'Heartbeats are optional: no client is dropped for not sending them. A session that never sends one stays open until the member leaves, ' +
      'is removed, the call ends, or its newest Agora token expires (or Agora says the member is gone, when its webhooks or channel user list are configured). ' +
      'What a heartbeat buys: once a session has sent one it is held to PRESENCE_TIMEOUT_SECONDS (default 120), so a crashed client is closed ' +
      'at its last heartbeat (reason `timeout`) even when Agora webhooks are off. Send one every `presence.heartbeatIntervalSeconds` of the join answer. ' +
      '403 when the caller has no open session (join again).',
  })
  @ApiParam({ name: 'callId', description: 'The call id (a positive integer)', example: 12345, type: 'integer' })
  @ApiOkResponse({ type: HeartbeatResultDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' },
    { code: 'NOT_A_PARTICIPANT', when: 'The caller has no open session in this call' },
    { code: 'CALL_NOT_FOUND', when: 'No such call' },
    ...ADMISSION_REFUSALS,
  )
  heartbeat(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<HeartbeatResultDto> {
    return this.presence.heartbeat(user, callId);
  }
}
