import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../auth/access.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { AdminRecordingsQueryDto, RecordingPageDto } from './dto/recording.dto';
import { RecordingsAdminService } from './recordings-admin.service';

@ApiTags('admin')
@AdminAccess()
@Controller('calling/admin')
export class RecordingsAdminController {
  constructor(private readonly recordings: RecordingsAdminService) {}

  @Get('recordings')
  @ApiOperation({
    operationId: 'listAllRecordings',
    summary: 'Every recording (admin)',
    description: 'Recordings of all calls created in [from, to), newest first, a page at a time: pass `nextCursor` as `cursor` for the next page.',
  })
  @ApiOkResponse({ type: RecordingPageDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'from or to is not an ISO 8601 instant, from is not before to, limit is outside 1-100, or cursor is not a nextCursor' })
  page(@Query() query: AdminRecordingsQueryDto): Promise<RecordingPageDto> {
    return this.recordings.page(query);
  }
}
