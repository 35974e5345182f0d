import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../auth/access.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { AdminEventsPageDto, AdminEventsQueryDto } from './dto/admin-events.dto';
import { EventsAdminService } from './events-admin.service';

@ApiTags('admin')
@AdminAccess()
@Controller('calling/admin/events')
export class EventsAdminController {
  constructor(private readonly events: EventsAdminService) {}

  @Get()
  @ApiOperation({
    operationId: 'listEvents',
    summary: 'Outbound events by delivery status (admin)',
    description:
      'The outbox as the webhook delivery sees it, newest first: by default the events that could not be delivered to `EVENTS_WEBHOOK_URL` within 24 h of retries (`status=failed`). Paged with `cursor`.',
  })
  @ApiOkResponse({ type: AdminEventsPageDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'An unknown status, limit outside 1-100, or a bad cursor' })
  list(@Query() query: AdminEventsQueryDto): Promise<AdminEventsPageDto> {
    return this.events.list(query);
  }
}
