import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { CallEndedDto } from '../calls/dto/end-call.dto';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { AdminService } from './admin.service';
import { CallDetailsDto, ParticipantRemovedDto } from './dto/call-details.dto';

const CALL_ID = { name: 'callId', description: 'The call id (a positive integer)', example: 12345 };
const BAD_ID = { description: 'callId or userId is not a positive integer', schema: { example: { statusCode: 400, error: 'Bad Request', message: 'callId must be a positive integer', code: 'VALIDATION_FAILED' } } };
const NOT_FOUND = { description: 'No such call', schema: { example: { statusCode: 404, error: 'Not Found', message: 'Call not found', code: 'CALL_NOT_FOUND' } } };

@ApiTags('admin')
@AdminAccess()
@Controller('calling/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get(':callId/details')
  @ApiOperation({ summary: 'Call details (admin)', description: 'The call, one row per participation session (members by OTO# number and user id), and its totals.' })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallDetailsDto })
  @ApiBadRequestResponse(BAD_ID)
  @ApiNotFoundResponse(NOT_FOUND)
  details(@Param('callId', PositiveIntPipe) callId: number): Promise<CallDetailsDto> {
    return this.admin.details(callId);
  }

  @Post(':callId/end')
  @HttpCode(200)
  @ApiOperation({
    summary: 'End a call (admin)',
    description: 'Status ended, every open session and segment closed now, no more joins or tokens; with Agora REST credentials, a channel-wide kicking rule. Ending an ended call is 409.',
  })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: CallEndedDto })
  @ApiBadRequestResponse(BAD_ID)
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({ description: 'The call has already ended', schema: { example: { statusCode: 409, error: 'Conflict', message: 'Call has already ended', code: 'CALL_ALREADY_ENDED' } } })
  end(@Param('callId', PositiveIntPipe) callId: number): Promise<CallEndedDto> {
    return this.admin.end(callId);
  }

  @Delete(':callId/participants/:userId')
  @ApiOperation({
    summary: 'Remove a participant (admin)',
    description:
      "Closes the member's open session and bars them from this call: no rejoin, no token. With Agora REST credentials, their uid(s) are kicked by a kicking rule; `agoraKick` reports the outcome and the removal stands regardless. The same removal as the member-facing `DELETE /api/calling/:callId/participants/:member`; an admin does not remove themselves (403 `ACTION_NOT_ALLOWED`).",
  })
  @ApiParam(CALL_ID)
  @ApiParam({ name: 'userId', description: 'Ikoota user id of the participant', example: 456 })
  @ApiOkResponse({ type: ParticipantRemovedDto })
  @ApiBadRequestResponse(BAD_ID)
  @ApiNotFoundResponse({ description: 'No such call, or the member never took part in it', schema: { example: { statusCode: 404, error: 'Not Found', message: 'This member never took part in this call', code: 'PARTICIPANT_NOT_FOUND' } } })
  remove(@CurrentUser() admin: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('userId', PositiveIntPipe) userId: number): Promise<ParticipantRemovedDto> {
    return this.admin.removeParticipant(admin, callId, userId);
  }
}
