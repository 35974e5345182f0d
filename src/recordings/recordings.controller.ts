import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { PositiveIntPipe } from '../common/pipes/positive-int.pipe';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { RecordingDto, RecordingListDto } from './dto/recording.dto';
import { RecordingStartedDto, StartRecordingDto } from './dto/start-recording.dto';
import { RecordingsService } from './recordings.service';
import { CALL_ID } from '../calls/call-id.param';

const RECORDING_ID = { name: 'recordingId', description: 'The recording id (a positive integer)', example: 42, type: 'integer' };
const NOT_CONFIGURED = { code: 'RECORDING_NOT_CONFIGURED', when: 'Recording storage or Agora REST credentials are not configured' } as const;
const NOT_MODERATOR = { code: 'NOT_CALL_MODERATOR', when: 'The caller is not the host, a moderator or an admin' } as const;
const NOT_FOUND = { code: 'CALL_NOT_FOUND', when: 'No such call' } as const;

@ApiTags('recordings')
@MemberAccess()
@Controller('calling')
export class RecordingsController {
  constructor(private readonly recordings: RecordingsService) {}

  @Post(':callId/recordings')
  @Idempotent()
  @ApiOperation({
    operationId: 'startRecording',
    summary: 'Start recording a call (host, moderator, admin)',
    description:
      'Starts Agora Cloud Recording in the call\'s channel with a recorder uid the service reserves. Only members in the call who set `recording_consent` are recorded: ' +
      'the subscribe lists hold only their uids, and follow as consenting members join and leave. One recording at a time per call.',
  })
  @ApiParam(CALL_ID)
  @ApiCreatedResponse({ type: RecordingStartedDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'mode is not mix or individual, or a bad callId' },
    NOT_MODERATOR,
    NOT_FOUND,
    { code: 'CALL_ENDED', when: 'The call has ended' },
    { code: 'RECORDING_ACTIVE', when: 'A recording of this call is starting, running or stopping' },
    { code: 'RECORDING_UNAVAILABLE', when: 'Agora did not acquire or start the recording (nothing is kept)' },
    NOT_CONFIGURED,
  )
  start(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Body() dto: StartRecordingDto): Promise<RecordingStartedDto> {
    return this.recordings.start(user, callId, dto.mode);
  }

  @Delete(':callId/recordings/:recordingId')
  @ApiOperation({
    operationId: 'stopRecording',
    summary: 'Stop a recording (host, moderator, admin)',
    description: 'Stops the recording at Agora and answers it with the files Agora reported. A recording already stopped or failed is answered as it is.',
  })
  @ApiParam(CALL_ID)
  @ApiParam(RECORDING_ID)
  @ApiOkResponse({ type: RecordingDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'callId or recordingId is not a positive integer' },
    NOT_MODERATOR,
    NOT_FOUND,
    { code: 'RECORDING_NOT_FOUND', when: 'No such recording of this call' },
    { code: 'RECORDING_NOT_ACTIVE', when: 'The recording is still starting' },
    { code: 'RECORDING_UNAVAILABLE', when: 'Agora did not answer the stop; the recording still runs (try again)' },
    NOT_CONFIGURED,
  )
  stop(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number, @Param('recordingId', PositiveIntPipe) recordingId: number): Promise<RecordingDto> {
    return this.recordings.stop(user, callId, recordingId);
  }

  @Get(':callId/recordings')
  @ApiOperation({ operationId: 'listRecordings', summary: "A call's recordings", description: "For the call's members and admins: each recording's status, start and stop times, duration and files, newest first." })
  @ApiParam(CALL_ID)
  @ApiOkResponse({ type: RecordingListDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'callId is not a positive integer' }, 'CALL_ACCESS_DENIED', 'PARTICIPANT_REMOVED', NOT_FOUND)
  async list(@CurrentUser() user: AuthUser, @Param('callId', PositiveIntPipe) callId: number): Promise<RecordingListDto> {
    return { recordings: await this.recordings.list(user, callId) };
  }
}
