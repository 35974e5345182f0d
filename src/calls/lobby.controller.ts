import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { MemberPipe } from '../moderation/member.pipe';
import { CALL_ID } from './call-id.param';
import { LobbyAdmittedAllDto, LobbyDecisionDto, LobbyListDto } from './dto/lobby.dto';
import { LobbyService } from './lobby.service';

const MEMBER = {
  name: 'member',
  description: 'The member: an OTO# number, URL-encoded (`OTO%23K7Q2ZD`), or a numeric Ikoota user id',
  example: 'OTO%23K7Q2ZD',
  type: 'string',
};
const BAD_CALL_ID = { code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' } as const;
const BAD_MEMBER = { code: 'VALIDATION_FAILED', when: 'callId is not a positive integer, or member is neither an OTO# number nor a user id' } as const;
const NOT_MODERATOR = { code: 'NOT_CALL_MODERATOR', when: 'The caller is not the host, a moderator or an admin' } as const;
const NO_CALL = { code: 'CALL_NOT_FOUND', when: 'No such call' } as const;
const ENDED = { code: 'CALL_ENDED', when: 'The call has ended' } as const;
const UNKNOWN_MEMBER = { code: 'MEMBER_NOT_FOUND', when: 'No member with this OTO# number or user id' } as const;
const NOT_WAITING = { code: 'NOT_IN_LOBBY', when: 'The member never knocked at this call (or left the lobby), or is in the call already' } as const;

/**
 * The lobby's routes for those who run a call (issue 24): who waits, and letting them in or not.
 * Members knock with the join route (202 `waiting`) and leave the lobby with the leave route.
 */
@ApiTags('lobby')
@MemberAccess()
@Controller('calling')
export class LobbyController {
  constructor(private readonly lobby: LobbyService) {}

  @Get(':callId/lobby')
  @ApiOperation({
    operationId: 'listLobby',
    summary: 'Who waits in the lobby (host, moderator, admin)',
    description:
      'The members waiting in the call\'s lobby now, by OTO# number, oldest first, with when they knocked (`since`). A wait counts for `LOBBY_WAIT_MINUTES` (15); a member who left (leave route) or came in is not listed.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: LobbyListDto })
  @ApiErrors(BAD_CALL_ID, NOT_MODERATOR, NO_CALL, ENDED)
  list(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<LobbyListDto> {
    return this.lobby.list(user, callId);
  }

  @Post(':callId/lobby/admit-all')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'admitAllFromLobby',
    summary: 'Admit everyone waiting (host, moderator, admin)',
    description:
      'Everyone waiting in the lobby now is admitted (`lobby.admitted` for each): their next join comes in, for `LOBBY_ADMISSION_MINUTES` (10). Admitting takes no slot: that join may still be 400 `CALL_FULL`. ' +
      'Members who knock after this wait as before.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: LobbyAdmittedAllDto })
  @ApiErrors(BAD_CALL_ID, NOT_MODERATOR, NO_CALL, ENDED)
  admitAll(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<LobbyAdmittedAllDto> {
    return this.lobby.admitAll(user, callId);
  }

  @Post(':callId/lobby/:member/admit')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'admitFromLobby',
    summary: 'Admit a member from the lobby (host, moderator, admin)',
    description:
      'The member\'s next join comes in (the normal 200) for `LOBBY_ADMISSION_MINUTES` (10); `lobby.admitted` goes to them and to the host and moderators. Admitting takes no slot: that join may still be 400 `CALL_FULL`. ' +
      'A denied member may be admitted later; admitting an admitted member changes nothing.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: LobbyDecisionDto })
  @ApiErrors(BAD_MEMBER, NOT_MODERATOR, NO_CALL, ENDED, UNKNOWN_MEMBER, NOT_WAITING)
  admit(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number): Promise<LobbyDecisionDto> {
    return this.lobby.decide(user, callId, userId, 'admitted');
  }

  @Post(':callId/lobby/:member/deny')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'denyFromLobby',
    summary: 'Deny a member in the lobby (host, moderator, admin)',
    description:
      'The member\'s joins answer 403 `LOBBY_DENIED` until they are admitted later; `lobby.denied` goes to them and to the host and moderators. Denying a denied member changes nothing; a member already in the call is removed with the removal route instead.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: LobbyDecisionDto })
  @ApiErrors(BAD_MEMBER, NOT_MODERATOR, NO_CALL, ENDED, UNKNOWN_MEMBER, NOT_WAITING)
  deny(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number): Promise<LobbyDecisionDto> {
    return this.lobby.decide(user, callId, userId, 'denied');
  }
}
