import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { RateLimit } from '../common/throttling/rate-limit';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ADMISSION_REFUSALS } from './admission';
import { DirectCallsService } from './direct-calls.service';
import { DirectCallCreatedDto, DirectCallOutcomeDto, StartDirectCallDto } from './dto/direct-call.dto';
import { JoinCallResponseDto } from './dto/join-call.dto';
import { CALL_ID } from './call-id.param';

const DIRECT_CALL_ID = { ...CALL_ID, description: 'The direct call id (a positive integer)' };
const BAD_ID = { code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' } as const;
const RING_ERRORS = [{ code: 'NOT_A_DIRECT_CALL', when: 'No such direct call' }, { code: 'NOT_RINGING', when: 'It was answered, declined, cancelled or missed already' }] as const;

@ApiTags('direct calls')
@MemberAccess()
@Controller('calling')
export class DirectCallsController {
  constructor(private readonly direct: DirectCallsService) {}

  @Post('direct')
  @RateLimit('direct')
  @Idempotent()
  @ApiOperation({
    operationId: 'startDirectCall',
    summary: 'Call a member directly',
    description:
      'Creates a private call for two (the caller its host, the callee invited) and rings the callee (`call.ringing` on their event stream and the webhook). Answers like create, plus `status: "ringing"`. Unanswered after RING_TIMEOUT_SECONDS (45) it is missed (`call.missed`) and ends. Creating does not join: the caller joins like anyone else.',
  })
  @ApiCreatedResponse({ type: DirectCallCreatedDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'callee is not an OTO# number or user id, or media is not audio or video' },
    { code: 'CALLEE_IS_CALLER', when: 'The callee is the caller' },
    { code: 'MEMBER_NOT_FOUND', when: 'No member with this OTO# number or user id' },
    { code: 'CALLEE_NOT_ELIGIBLE', when: 'The callee has no membership (pre_member, member or full_member)' },
  )
  start(@CurrentUser() user: AuthUser, @Body() dto: StartDirectCallDto): Promise<DirectCallCreatedDto> {
    return this.direct.start(user, dto);
  }

  @Post(':callId/accept')
  @HttpCode(200)
  @RateLimit('join')
  @ApiOperation({ operationId: 'acceptDirectCall', summary: 'Accept a direct call (callee)', description: 'A join (the same answer as `POST /:callId/join`, with the media the caller asked for); then `call.accepted` to both sides.' })
  @ApiParam(DIRECT_CALL_ID)
  @ApiOkResponse({ type: JoinCallResponseDto })
  @ApiErrors(
    BAD_ID,
    { code: 'NOT_THE_CALLEE', when: 'The caller is not the member being called' },
    ...RING_ERRORS,
    // Accepting is a join: the join's own refusals.
    { code: 'CALL_FULL', when: 'Call is full (reached max participants)' },
    { code: 'CALL_NOT_FOUND', when: 'No such call' },
    ...ADMISSION_REFUSALS,
  )
  accept(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<JoinCallResponseDto> {
    return this.direct.accept(user, callId);
  }

  @Post(':callId/decline')
  @HttpCode(200)
  @ApiOperation({ operationId: 'declineDirectCall', summary: 'Decline a direct call (callee)', description: 'The call ends; `call.declined` to both sides.' })
  @ApiParam(DIRECT_CALL_ID)
  @ApiOkResponse({ type: DirectCallOutcomeDto })
  @ApiErrors(BAD_ID, { code: 'NOT_THE_CALLEE', when: 'The caller is not the member being called' }, ...RING_ERRORS)
  decline(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<DirectCallOutcomeDto> {
    return this.direct.decline(user, callId);
  }

  @Post(':callId/cancel')
  @HttpCode(200)
  @ApiOperation({ operationId: 'cancelDirectCall', summary: 'Cancel a direct call (caller)', description: 'Before the callee answers: the call ends; `call.cancelled` to both sides.' })
  @ApiParam(DIRECT_CALL_ID)
  @ApiOkResponse({ type: DirectCallOutcomeDto })
  @ApiErrors(BAD_ID, { code: 'NOT_THE_CALLER', when: 'Only the caller cancels' }, ...RING_ERRORS)
  cancel(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<DirectCallOutcomeDto> {
    return this.direct.cancel(user, callId);
  }
}
