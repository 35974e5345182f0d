import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { CallEndedDto } from '../calls/dto/end-call.dto';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { AdminService } from './admin.service';
import { ParticipantRemovedDto } from '../moderation/dto/participant-removed.dto';
import { CallDetailsDto } from './dto/call-details.dto';
import { CALL_ID } from '../calls/call-id.param';

const BAD_ID = { code: 'VALIDATION_FAILED', when: 'callId or userId is not a positive integer' } as const;
const NOT_FOUND = { code: 'CALL_NOT_FOUND', when: 'No such call' } as const;

@ApiTags('admin')
@AdminAccess()
@Controller('calling/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get(':callId/details')
  @ApiOperation({ operationId: 'getCallDetails', summary: 'Call details (admin)', description: 'The call, one row per participation session (members by OTO# number and user id), and its totals.' })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallDetailsDto })
  @ApiErrors(BAD_ID, NOT_FOUND)
  details(@Param('callId', PositiveIntPipe) callId: number): Promise<CallDetailsDto> {
    return this.admin.details(callId);
  }

  @Post(':callId/end')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'endCallAsAdmin',
    summary: 'End a call (admin)',
    description: 'Status ended, every open session and segment closed now, no more joins or tokens; with Agora REST credentials, a channel-wide kicking rule. Ending an ended call is 409.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallEndedDto })
  @ApiErrors(BAD_ID, NOT_FOUND, { code: 'CALL_ALREADY_ENDED', when: 'The call has already ended' })
  end(@Param('callId', PositiveIntPipe) callId: number): Promise<CallEndedDto> {
    return this.admin.end(callId);
  }

  @Delete(':callId/participants/:userId')
  @ApiOperation({
    operationId: 'removeParticipantAsAdmin',
    summary: 'Remove a participant (admin)',
    description:
      "Closes the member's open session and bars them from this call: no rejoin, no token. With Agora REST credentials, their uid(s) are kicked by a kicking rule; `agoraKick` reports the outcome and the removal stands regardless. The same removal as the member-facing `DELETE /api/calling/:callId/participants/:member`; an admin does not remove themselves (403 `ACTION_NOT_ALLOWED`).",
  })
  @ApiParam(CALL_ID)
  @ApiParam({ name: 'userId', description: 'Ikoota user id of the participant', example: 456, type: 'integer' })
  @ApiOkResponse({ type: ParticipantRemovedDto })
  @ApiErrors(BAD_ID, NOT_FOUND, { code: 'PARTICIPANT_NOT_FOUND', when: 'The member never took part in this call' }, { code: 'ACTION_NOT_ALLOWED', when: 'An admin does not remove themselves' })
  remove(@CurrentUser() admin: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('userId', PositiveIntPipe) userId: number): Promise<ParticipantRemovedDto> {
    return this.admin.removeParticipant(admin, callId, userId);
  }
}
