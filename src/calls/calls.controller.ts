import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { RateLimit } from '../common/throttling/rate-limit';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ADMISSION_REFUSALS } from './admission';
import { CallsService, isWaiting } from './calls.service';
import { LobbyWaitingDto } from './dto/lobby.dto';
import { CallCreatedDto } from './dto/call-created.dto';
import { CallDetailDto, CallRowDto } from './dto/call-row.dto';
import { CreateCallDto } from './dto/create-call.dto';
import { InviteMembersDto, InviteResultDto } from './dto/invite-members.dto';
import { JoinCallDto, JoinCallResponseDto, SuccessDto } from './dto/join-call.dto';
import { MyCallsQueryDto } from './dto/my-calls-query.dto';
import { CallEndedDto } from './dto/end-call.dto';
import { SwitchMediaDto, SwitchMediaResultDto } from './dto/switch-media.dto';
import { CALL_ID } from './call-id.param';


@ApiTags('calls')
@MemberAccess()
@Controller('calling')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  @Post('create')
  @RateLimit('create')
  @Idempotent()
  @ApiOperation({
    operationId: 'createCall',
    summary: 'Create a new call',
    description:
      'The caller becomes the host. Creating does not join: the host joins like anyone else. ' +
      "`encryption` (`aes-128-gcm2` / `aes-256-gcm2`) makes an encrypted call: the join and token answers then carry the channel's mode, key and salt.",
  })
  @ApiCreatedResponse({ type: CallCreatedDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'Invalid request parameters' }, { code: 'ENCRYPTION_UNAVAILABLE', when: 'An encrypted call asked of a service without MEDIA_KEY_SECRET' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateCallDto): Promise<CallCreatedDto> {
    return this.calls.create(user, dto);
  }

  @Get('my-calls')
  @ApiOperation({ operationId: 'listMyCalls', summary: "The caller's calls", description: 'Calls the caller created, was invited to, or took part in; newest first.' })
  @ApiOkResponse({ type: [CallRowDto] })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'limit outside 1-100 or an unknown status' })
  myCalls(@CurrentUser() user: AuthUser, @Query() query: MyCallsQueryDto): Promise<CallRowDto[]> {
    return this.calls.myCalls(user, query);
  }

  @Get(':callId')
  @ApiOperation({
    operationId: 'getCall',
    summary: 'One call',
    description: "For the call's members, its participants and admins: the call, the caller's role, and who is in it now by OTO# number.",
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallDetailDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' }, 'CALL_ACCESS_DENIED', 'PARTICIPANT_REMOVED', { code: 'CALL_NOT_FOUND', when: 'No such call' })
  findOne(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<CallDetailDto> {
    return this.calls.findOne(user, callId);
  }

  @Post(':callId/invite')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'inviteMembers',
    summary: 'Invite members to a call (host or admin)',
    description:
      'Not in the original spec: makes the given Ikoota users members of the call with role participant, so they may join it while it is private. Members already in the call keep their role; members an admin removed stay removed.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: InviteResultDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'userIds missing, empty, over 100, or not positive integers; or a bad callId' },
    { code: 'NOT_CALL_HOST', when: 'The caller is neither the host nor an admin' },
    { code: 'CALL_NOT_FOUND', when: 'No such call' },
    { code: 'CALL_ENDED', when: 'The call has ended' },
  )
  invite(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Body() dto: InviteMembersDto): Promise<InviteResultDto> {
    return this.calls.invite(user, callId, dto.userIds);
  }

  @Post(':callId/join')
  @HttpCode(200)
  @RateLimit('join')
  @ApiOperation({
    operationId: 'joinCall',
    summary: 'Join a call',
    description:
      'Opens the caller\'s participation session (media `video` unless the body says `{"media":"audio"}`; the body may be empty) and returns the channel plus the caller\'s masking preferences. Joining again while in the call returns the same answer and takes no second slot. ' +
      'In a call with `lobby` (or `waitForHost` while neither the host, a moderator nor an admin is in it), a member who is none of those waits: **202** `waiting` with their place in the lobby, and no channel, session, slot or token. ' +
      'Joining again while waiting answers the same; once admitted, the next join is the normal 200. ' +
      "An encrypted call's answer carries `encryption: { mode, key, salt }` for the client to set before joining the channel: a new pair when this join found the call empty (and no recorder in it), else the one the others use.",
  })
  @ApiParam(CALL_ID)
  @ApiBody({ type: JoinCallDto, required: false })
  @ApiOkResponse({ type: JoinCallResponseDto })
  @ApiAcceptedResponse({ type: LobbyWaitingDto, description: 'The caller waits in the lobby until the host, a moderator or an admin admits them (or, with `waitForHost`, until one of them joins)' })
  @ApiErrors(
    { code: 'CALL_FULL', when: 'Call is full (reached max participants)' },
    { code: 'VALIDATION_FAILED', when: 'A bad callId or body' },
    { code: 'CALL_NOT_FOUND', when: 'No such call' },
    ...ADMISSION_REFUSALS,
    { code: 'LOBBY_DENIED', when: 'The host, a moderator or an admin denied the caller in the lobby (until admitted later)' },
    { code: 'ENCRYPTION_UNAVAILABLE', when: 'An encrypted call, and the service cannot key it (MEDIA_KEY_SECRET missing)' },
  )
  async join(
    @CurrentUser() user: AuthUser,
    @Param('callId', PositiveIntPipe) callId: number,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() dto: JoinCallDto = {},
  ): Promise<JoinCallResponseDto | LobbyWaitingDto> {
    const answer = await this.calls.join(user, callId, dto?.media);
    if (isWaiting(answer)) void reply.status(202);
    return answer;
  }

  @Post(':callId/media')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'switchMedia',
    summary: "Switch the caller's media",
    description:
      'Each participation session is split into media segments (audio or video). Joining starts the first; this closes the current one and starts the next. Audio and video minutes everywhere are sums of segment durations, counted when a segment closes.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: SwitchMediaResultDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'media is not audio or video, or a bad callId' },
    { code: 'NOT_A_PARTICIPANT', when: 'The caller has no open session in this call' },
    { code: 'CALL_NOT_FOUND', when: 'No such call' },
    ...ADMISSION_REFUSALS,
  )
  switchMedia(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Body() dto: SwitchMediaDto): Promise<SwitchMediaResultDto> {
    return this.calls.switchMedia(user, callId, dto.media);
  }

  @Post(':callId/end')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'endCall',
    summary: 'End a call (host)',
    description: 'The host (or an admin) ends the call: every open session closes now, no more joins or tokens. Ending an ended call is 409.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallEndedDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' }, { code: 'NOT_CALL_HOST', when: 'The caller is neither the host nor an admin' }, { code: 'CALL_NOT_FOUND', when: 'No such call' }, { code: 'CALL_ALREADY_ENDED', when: 'The call has already ended' })
  end(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<CallEndedDto> {
    return this.calls.endAsHost(user, callId);
  }

  @Post(':callId/leave')
  @HttpCode(200)
  @ApiOperation({ operationId: 'leaveCall', summary: 'Leave a call', description: 'Closes the caller\'s open session (left_at, duration_seconds). Idempotent: `{ "success": true }` when nothing is open.' })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: SuccessDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' }, { code: 'CALL_NOT_FOUND', when: 'No such call' })
  leave(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<{ success: true }> {
    return this.calls.leave(user, callId);
  }
}
