import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ParticipantRemovedDto } from '../admin/dto/call-details.dto';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { CallRowDto } from '../calls/dto/call-row.dto';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { ChangeRoleDto, MemberRoleDto } from './dto/change-role.dto';
import { MemberMutedDto, MuteMemberDto } from './dto/mute-member.dto';
import { UpdateCallDto } from './dto/update-call.dto';
import { MemberPipe } from './member.pipe';
import { ModerationService } from './moderation.service';

const error = (statusCode: number, error: string, message: string, code?: string) => ({
  schema: { example: { statusCode, error, message, ...(code ? { code } : {}) } },
});
const CALL_ID = { name: 'callId', description: 'The call id (a positive integer)', example: 12345 };
const MEMBER = {
  name: 'member',
  description: 'The member: an OTO# number, URL-encoded (`OTO%23K7Q2ZD`), or a numeric Ikoota user id',
  example: 'OTO%23K7Q2ZD',
};
const BAD_CALL_ID = { description: 'callId is not a positive integer', ...error(400, 'Bad Request', 'callId must be a positive integer', 'VALIDATION_FAILED') };
const BAD_MEMBER = {
  description: 'callId is not a positive integer, or member is neither an OTO# number nor a user id',
  ...error(400, 'Bad Request', 'member must be an OTO# number (OTO# and 6 of A-Z 0-9, URL-encoded as OTO%23K7Q2ZD) or a positive user id', 'VALIDATION_FAILED'),
};
const NOT_MODERATOR = { description: 'The caller is not the host, a moderator or an admin', ...error(403, 'Forbidden', 'Only the call host, a moderator or an admin can pause this call', 'NOT_CALL_MODERATOR') };
const ENDED = { description: 'No such call, or it has ended', ...error(404, 'Not Found', 'Call not found or ended', 'CALL_ENDED') };
const MEMBER_NOT_FOUND = '(`MEMBER_NOT_FOUND`: no member with this OTO# number or user id; `CALL_NOT_FOUND`: no such call)';

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
    summary: 'Pause a call (host, moderator, admin)',
    description:
      'Members already in the call stay in, renew their tokens, switch media and send heartbeats; nobody new joins (409 `CALL_PAUSED`) until it resumes. ' +
      'The idle timer does not end a paused call that still has participants. Pausing a paused call is 200 and changes nothing; an ended call is 404.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallRowDto, description: 'The call row, as my-calls shows it (`status: "paused"`)' })
  @ApiBadRequestResponse(BAD_CALL_ID)
  @ApiForbiddenResponse(NOT_MODERATOR)
  @ApiNotFoundResponse(ENDED)
  pause(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<CallRowDto> {
    return this.moderation.setPaused(user, callId, true);
  }

  @Post(':callId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused call (host, moderator, admin)', description: 'Joins are admitted again. Resuming an active call is 200 and changes nothing; an ended call is 404.' })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallRowDto, description: 'The call row, as my-calls shows it (`status: "active"`)' })
  @ApiBadRequestResponse(BAD_CALL_ID)
  @ApiForbiddenResponse({ ...NOT_MODERATOR, ...error(403, 'Forbidden', 'Only the call host, a moderator or an admin can resume this call', 'NOT_CALL_MODERATOR') })
  @ApiNotFoundResponse(ENDED)
  resume(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<CallRowDto> {
    return this.moderation.setPaused(user, callId, false);
  }

  @Patch(':callId')
  @ApiOperation({
    summary: 'Edit a call (host, moderator, admin)',
    description:
      'Any of `title`, `description`, `isPublic`, `maxParticipants`, validated as on create; omitted fields stay. `maxParticipants` below the members in the call now is 409 `CAPACITY_BELOW_LIVE` ' +
      '(checked under the call\'s lock, so a concurrent join cannot slip past the new cap). Ended calls are 404.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallRowDto, description: 'The call row after the edit, as my-calls shows it' })
  @ApiBadRequestResponse({ description: 'A field fails the create rules, or callId is not a positive integer', ...error(400, 'Bad Request', 'maxParticipants must not be less than 2', 'VALIDATION_FAILED') })
  @ApiForbiddenResponse({ ...NOT_MODERATOR, ...error(403, 'Forbidden', 'Only the call host, a moderator or an admin can edit this call', 'NOT_CALL_MODERATOR') })
  @ApiNotFoundResponse(ENDED)
  @ApiConflictResponse({ description: 'maxParticipants is below the live head count', ...error(409, 'Conflict', 'maxParticipants 2 is below the 3 members in the call now', 'CAPACITY_BELOW_LIVE') })
  edit(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Body() dto: UpdateCallDto): Promise<CallRowDto> {
    return this.moderation.edit(user, callId, dto);
  }

  @Put(':callId/members/:member')
  @ApiOperation({
    summary: "Change a member's role (host, admin)",
    description: 'Makes a member of the call (`role: "moderator"`) a moderator, or a participant again. The target must be a member of the call (host, invited or joined, not removed); the host\'s own role cannot change.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: MemberRoleDto })
  @ApiBadRequestResponse({ ...BAD_MEMBER, description: `${BAD_MEMBER.description}, or role is not moderator or participant` })
  @ApiForbiddenResponse({ description: 'The caller is not the host or an admin', ...error(403, 'Forbidden', 'Only the call host or an admin can change roles in this call', 'NOT_CALL_HOST') })
  @ApiNotFoundResponse({ description: `No such call or it has ended, no such member, or the member is not a member of this call ${MEMBER_NOT_FOUND}`, ...error(404, 'Not Found', 'This member is not a member of this call', 'NOT_A_CALL_MEMBER') })
  @ApiConflictResponse({ description: "The target is the call's host", ...error(409, 'Conflict', "The host's role cannot change", 'HOST_ROLE_FIXED') })
  setRole(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number, @Body() dto: ChangeRoleDto): Promise<MemberRoleDto> {
    return this.moderation.setRole(user, callId, userId, dto.role);
  }

  @Delete(':callId/participants/:member')
  @ApiOperation({
    summary: 'Remove a participant (host, moderator, admin)',
    description:
      "The same removal as `DELETE /api/calling/admin/:callId/participants/:userId`: the member's open session closes, they may not rejoin or get a token for this call, and with Agora REST credentials each uid bound to them is kicked (`agoraKick`). " +
      'A moderator cannot remove the host or another moderator; nobody removes themselves this way (leave instead).',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: ParticipantRemovedDto })
  @ApiBadRequestResponse(BAD_MEMBER)
  @ApiForbiddenResponse({ description: 'The caller may not remove this member (not host, moderator or admin; a moderator removing the host or a moderator; removing oneself)', ...error(403, 'Forbidden', 'A moderator cannot remove the host or another moderator', 'ACTION_NOT_ALLOWED') })
  @ApiNotFoundResponse({ description: `No such call, no such member, or the member never took part in it ${MEMBER_NOT_FOUND}`, ...error(404, 'Not Found', 'This member never took part in this call', 'PARTICIPANT_NOT_FOUND') })
  remove(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number): Promise<ParticipantRemovedDto> {
    return this.moderation.removeParticipant(user, callId, userId);
  }

  @Post(':callId/participants/:member/mute')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mute or unmute a member (host, moderator, admin)',
    description:
      '`{ "audio": true }` mutes audio, `false` unmutes; the same for `video`; an omitted field stays as it is. The flags show in `GET /api/calling/:callId`. ' +
      'With Agora REST credentials, muting posts a kicking rule with the privilege `publish_audio` or `publish_video` for each uid bound to the member, for the rest of the token lifetime; unmuting deletes it. ' +
      '`agoraMute` reports the outcome and the flags stand regardless. A moderator may mute participants only.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: MemberMutedDto })
  @ApiBadRequestResponse({ ...BAD_MEMBER, description: `${BAD_MEMBER.description}, or neither audio nor video is a boolean` })
  @ApiForbiddenResponse({ description: 'The caller is not the host, a moderator or an admin, or a moderator targets the host or a moderator', ...error(403, 'Forbidden', 'A moderator can mute and unmute participants only', 'ACTION_NOT_ALLOWED') })
  @ApiNotFoundResponse({ description: `No such call or it has ended, no such member, or the member is not a member of this call ${MEMBER_NOT_FOUND}`, ...error(404, 'Not Found', 'This member is not a member of this call', 'NOT_A_CALL_MEMBER') })
  mute(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number, @Body() dto: MuteMemberDto): Promise<MemberMutedDto> {
    return this.moderation.mute(user, callId, userId, dto);
  }
}
