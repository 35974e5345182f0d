import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
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
    summary: 'Confirm presence in a call (optional)',
    description:
      'Heartbeats are optional: no client is dropped for not sending them. A session that never sends one stays open until the member leaves, ' +
      'is removed, the call ends, or its newest Agora token expires (or Agora says the member is gone, when its webhooks or channel user list are configured). ' +
      'What a heartbeat buys: once a session has sent one it is held to PRESENCE_TIMEOUT_SECONDS (default 120), so a crashed client is closed ' +
      'at its last heartbeat (reason `timeout`) even when Agora webhooks are off. Send one every `presence.heartbeatIntervalSeconds` of the join answer. ' +
      '403 when the caller has no open session (join again).',
  })
  @ApiParam({ name: 'callId', description: 'The call id (a positive integer)', example: 12345 })
  @ApiOkResponse({ type: HeartbeatResultDto })
  @ApiForbiddenResponse({ description: 'The caller has no open session in this call', schema: { example: { statusCode: 403, error: 'Forbidden', message: 'You are not in this call: join it again', code: 'NOT_A_PARTICIPANT' } } })
  @ApiNotFoundResponse({ description: 'No such call', schema: { example: { statusCode: 404, error: 'Not Found', message: 'Call not found', code: 'CALL_NOT_FOUND' } } })
  heartbeat(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<HeartbeatResultDto> {
    return this.presence.heartbeat(user, callId);
  }
}
