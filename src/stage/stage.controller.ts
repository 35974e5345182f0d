import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { CALL_ID } from '../calls/call-id.param';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { MemberPipe } from '../moderation/member.pipe';
import { HandDto, HandsQueryDto, RaisedHandsDto, RaiseHandDto } from './dto/hand.dto';
import { SpeakerChangedDto } from './dto/speaker.dto';
import { StageService } from './stage.service';

const MEMBER = {
  name: 'member',
  description: 'The member: an OTO# number, URL-encoded (`OTO%23K7Q2ZD`), or a numeric Ikoota user id',
  example: 'OTO%23K7Q2ZD',
  type: 'string',
};
const NO_CALL = { code: 'CALL_NOT_FOUND', when: 'No such call' } as const;
const ENDED = { code: 'CALL_ENDED', when: 'The call has ended' } as const;
const NOT_A_STAGE = { code: 'NOT_A_STAGE', when: 'The call is a conference (mode "conference")' } as const;
const NOT_MODERATOR = { code: 'NOT_CALL_MODERATOR', when: 'The caller is not the host, a moderator or an admin' } as const;
const BAD_MEMBER = { code: 'VALIDATION_FAILED', when: 'callId is not a positive integer, or member is neither an OTO# number nor a user id' } as const;
const UNKNOWN_MEMBER = { code: 'MEMBER_NOT_FOUND', when: 'No member with this OTO# number or user id' } as const;
const NOT_IN_CALL = { code: 'NOT_A_CALL_MEMBER', when: 'The member is not a member of this call, or was removed' } as const;

/**
 * Stages (issue 25): a few speakers publish, everyone else listens; listeners raise a hand to be
 * brought on stage. Create a stage with `mode: "stage"` (POST /api/calling/create).
 */
@ApiTags('stages')
@MemberAccess()
@Controller('calling')
export class StageController {
  constructor(private readonly stage: StageService) {}

  @Post(':callId/hand')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'raiseHand',
    summary: 'Raise or lower your hand (a listener on a stage)',
    description:
      '`{ "raised": true }` raises the caller\'s hand, `false` lowers it; the caller must be a listener in the call (joined, not a speaker). Raising a raised hand keeps its time and its place in the queue; ' +
      'lowering a lowered one is 200 too. Leaving the call (or any close of the session: removal, end, presence) lowers it. The host and moderators hear of it (`hand.raised`, `hand.lowered`).',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: HandDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'raised is not a boolean, or a bad callId' },
    { code: 'NOT_A_PARTICIPANT', when: 'The caller is not in the call: join it first' },
    { code: 'ALREADY_A_SPEAKER', when: 'The caller is a speaker: only listeners raise a hand' },
    { code: 'PARTICIPANT_REMOVED', when: 'The caller was removed from this call' },
    NOT_A_STAGE,
    NO_CALL,
    ENDED,
  )
  hand(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Body() dto: RaiseHandDto): Promise<HandDto> {
    return this.stage.setHand(user, callId, dto.raised);
  }

  @Get(':callId/hands')
  @ApiOperation({
    operationId: 'listHands',
    summary: 'Raised hands on a stage (host, moderator, admin)',
    description: 'The raised hands of listeners in the call now, by OTO# number, oldest first (at most `limit`), and how many there are in all.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: RaisedHandsDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'limit outside 1-1000, or a bad callId' }, NOT_MODERATOR, NOT_A_STAGE, NO_CALL)
  hands(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Query() query: HandsQueryDto): Promise<RaisedHandsDto> {
    return this.stage.hands(user, callId, query.limit ?? 100);
  }

  @Put(':callId/speakers/:member')
  @ApiOperation({
    operationId: 'promoteSpeaker',
    summary: 'Make a member in the call a speaker (host, moderator, admin)',
    description:
      'The member (in the call now) may publish: their next token is a publisher token, and any kicking rules of an earlier demotion are deleted. Their hand goes down. ' +
      '409 `SPEAKERS_FULL` when the stage has `maxSpeakers` speakers already (the host and moderators count), exact under concurrent requests on any number of instances. ' +
      'A speaker already is 200 and changes nothing. Events: `participant.promoted` (and `hand.lowered` when their hand was up).',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: SpeakerChangedDto })
  @ApiErrors(
    BAD_MEMBER,
    NOT_MODERATOR,
    NOT_A_STAGE,
    NO_CALL,
    ENDED,
    UNKNOWN_MEMBER,
    NOT_IN_CALL,
    { code: 'MEMBER_NOT_IN_CALL', when: 'The member is not in the call now' },
    { code: 'SPEAKERS_FULL', when: 'The stage has maxSpeakers speakers already' },
  )
  promote(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number): Promise<SpeakerChangedDto> {
    return this.stage.promote(user, callId, userId);
  }

  @Delete(':callId/speakers/:member')
  @ApiOperation({
    operationId: 'demoteSpeaker',
    summary: 'Make a speaker a listener again (host, moderator, admin; or the speaker themselves)',
    description:
      'The member may no longer publish: their next token is a subscriber token, and with Agora REST credentials kicking rules on `publish_audio` and `publish_video` cover every uid bound to them, ' +
      'so a publisher token they still hold cannot publish either (`agoraRules`). A speaker may step down themselves. The host and moderators are speakers by their role (409 `SPEAKER_BY_ROLE`). ' +
      'A listener already is 200 and changes nothing. Event: `participant.demoted`.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(MEMBER)
  @ApiOkResponse({ type: SpeakerChangedDto })
  @ApiErrors(
    BAD_MEMBER,
    { code: 'NOT_CALL_MODERATOR', when: 'The caller is not the host, a moderator, an admin or the speaker themselves' },
    NOT_A_STAGE,
    NO_CALL,
    ENDED,
    UNKNOWN_MEMBER,
    NOT_IN_CALL,
    { code: 'SPEAKER_BY_ROLE', when: 'The member is the host or a moderator' },
  )
  demote(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('member', MemberPipe) userId: number): Promise<SpeakerChangedDto> {
    return this.stage.demote(user, callId, userId);
  }
}
