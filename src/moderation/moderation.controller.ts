import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ParticipantRemovedDto } from './dto/participant-removed.dto';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { CallRowDto } from '../calls/dto/call-row.dto';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { ChangeRoleDto, MemberRoleDto } from './dto/change-role.dto';
import { MemberMutedDto, MuteMemberDto } from './dto/mute-member.dto';
import { UpdateCallDto } from './dto/update-call.dto';
import { MemberPipe } from './member.pipe';
import { ModerationService } from './moderation.service';
import { CALL_ID } from '../calls/call-id.param';

const MEMBER = {
  name: 'member',
  description: 'The member: an OTO# number, URL-encoded (`OTO%23K7Q2ZD`), or a numeric Ikoota user id',
  example: 'OTO%23K7Q2ZD',
  type: 'string',
};
const BAD_CALL_ID = { code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' } as const;
const BAD_MEMBER = { code: 'VALIDATION_FAILED', when: 'callId is not a positive integer, or member is neither an OTO# number nor a user id' } as const;
const NOT_MODERATOR = { code: 'NOT_CALL_MODERATOR', when: 'The caller is not the host, a moderator or an admin' } as const;
const ENDED = { code: 'CALL_ENDED', when: 'The call has ended' } as const;
const NO_CALL = { code: 'CALL_NOT_FOUND', when: 'No such call' } as const;
const UNKNOWN_MEMBER = { code: 'MEMBER_NOT_FOUND', when: 'No member with this OTO# number or user id' } as const;
const NOT_IN_CALL = { code: 'NOT_A_CALL_MEMBER', when: 'The member is not a member of this call' } as const;

/**
 * What hosts, moderators and admins do to the calls they run (issue "Calls that hosts can run").
 * Admins may do everything a host may.
 */
@ApiTags('moderation')
@MemberAccess()
@Controller('calling')
export class ModerationController {
  constructor(private readonly moderation: ModerationService) {}

  @Post(':callId/pause')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'pauseCall',
    summary: 'Pause a call (host, moderator, admin)',
    description:
      'Members already in the call stay in, renew their tokens, switch media and send heartbeats; nobody new joins (409 `CALL_PAUSED`) until it resumes. ' +
      'The idle timer does not end a paused call that still has participants. Pausing a paused call is 200 and changes nothing; an ended call is 404.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallRowDto, description: 'The call row, as my-calls shows it (`status: "paused"`)' })
  @ApiErrors(BAD_CALL_ID, NOT_MODERATOR, NO_CALL, ENDED)
  pause(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<CallRowDto> {
    return this.moderation.setPaused(user, callId, true);
  }

  @Post(':callId/resume')
  @HttpCode(200)
  @ApiOperation({ operationId: 'resumeCall', summary: 'Resume a paused call (host, moderator, admin)', description: 'Joins are admitted again. Resuming an active call is 200 and changes nothing; an ended call is 404.' })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallRowDto, description: 'The call row, as my-calls shows it (`status: "active"`)' })
  @ApiErrors(BAD_CALL_ID, NOT_MODERATOR, NO_CALL, ENDED)
  resume(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<CallRowDto> {
    return this.moderation.setPaused(user, callId, false);
  }

  @Patch(':callId')
  @ApiOperation({
    operationId: 'updateCall',
    summary: 'Edit a call (host, moderator, admin)',
    description:
      'Any of `title`, `description`, `isPublic`, `maxParticipants`, validated as on create; omitted fields stay. `maxParticipants` below the members in the call now is 409 `CAPACITY_BELOW_LIVE` ' +
      '(checked under the call\'s lock, so a concurrent join cannot slip past the new cap). Ended calls are 404. ' +
      'On a stage also `maxSpeakers` (1-32; below its speakers now is 409 `CAPACITY_BELOW_LIVE`). The mode never changes: `mode` is refused like any unknown field. ' +
      '`encryption` changes only while nobody is in the call and no recording runs (409 `CALL_IN_PROGRESS`).',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallRowDto, description: 'The call row after the edit, as my-calls shows it' })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'A field fails the create rules, or callId is not a positive integer' }, NOT_MODERATOR, NO_CALL, ENDED, { code: 'CAPACITY_BELOW_LIVE', when: 'maxParticipants is below the live head count, or (a stage) maxSpeakers below its speakers' }, { code: 'CALL_IN_PROGRESS', when: 'encryption changed while someone is in the call or a recording runs' }, { code: 'ENCRYPTION_UNAVAILABLE', when: 'An encrypted mode asked of a service without MEDIA_KEY_SECRET' })
  edit(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Body() dto: UpdateCallDto): Promise<CallRowDto> {
    return this.moderation.edit(user, callId, dto);
  }

  @Put(':callId/members/:member')
  @ApiOperation({
    operationId: 'setMemberRole',
    summary: "Change a member's role (host, admin)",
    description:
      'Makes a member of the call (`role: "moderator"`) a moderator, or a participant again. The target must be a member of the call (host, invited or joined, not removed); the host\'s own role cannot change. ' +
      'On a stage a moderator is a speaker: making one takes a speaker seat (409 `SPEAKERS_FULL` when none is free); a moderator made a participant stays a speaker until demoted.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: MemberRoleDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'callId or member is malformed, or role is not moderator or participant' }, { code: 'NOT_CALL_HOST', when: 'The caller is not the host or an admin' }, NO_CALL, ENDED, UNKNOWN_MEMBER, NOT_IN_CALL, { code: 'HOST_ROLE_FIXED', when: "The target is the call's host" }, { code: 'SPEAKERS_FULL', when: 'On a stage a moderator is a speaker: no speaker seat is free' })
  setRole(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number, @Body() dto: ChangeRoleDto): Promise<MemberRoleDto> {
    return this.moderation.setRole(user, callId, userId, dto.role);
  }

  @Delete(':callId/participants/:member')
  @ApiOperation({
    operationId: 'removeParticipant',
    summary: 'Remove a participant (host, moderator, admin)',
    description:
      "The same removal as `DELETE /api/calling/admin/:callId/participants/:userId`: the member's open session closes, they may not rejoin or get a token for this call, and with Agora REST credentials each uid bound to them is kicked (`agoraKick`). " +
      'A moderator cannot remove the host or another moderator; nobody removes themselves this way (leave instead).',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: ParticipantRemovedDto })
  @ApiErrors(BAD_MEMBER, NOT_MODERATOR, { code: 'ACTION_NOT_ALLOWED', when: 'A moderator removing the host or a moderator, or anyone removing themselves' }, NO_CALL, UNKNOWN_MEMBER, { code: 'PARTICIPANT_NOT_FOUND', when: 'The member never took part in this call' })
  remove(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number): Promise<ParticipantRemovedDto> {
    return this.moderation.removeParticipant(user, callId, userId);
  }

  @Post(':callId/participants/:member/mute')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'muteMember',
    summary: 'Mute or unmute a member (host, moderator, admin)',
    description:
      '`{ "audio": true }` mutes audio, `false` unmutes; the same for `video`; an omitted field stays as it is. The flags show in `GET /api/calling/:callId`. ' +
      "A muted member's tokens leave out the muted media's publish privilege, under any uid. With Agora REST credentials, muting posts a kicking rule with the privilege `publish_audio` or `publish_video` " +
      'for each uid bound to the member, outlasting any token they hold; a new uid gets its rule before its token is answered, and a renewal that would outlive a rule gets a new one first. Unmuting deletes every rule made for it. ' +
      '`agoraMute` reports the outcome and the flags stand regardless. A moderator may mute participants only.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: MemberMutedDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'callId or member is malformed, or neither audio nor video is a boolean' }, NOT_MODERATOR, { code: 'ACTION_NOT_ALLOWED', when: 'A moderator targeting the host or a moderator' }, NO_CALL, ENDED, UNKNOWN_MEMBER, NOT_IN_CALL)
  mute(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number, @Body() dto: MuteMemberDto): Promise<MemberMutedDto> {
    return this.moderation.mute(user, callId, userId, dto);
  }
}
