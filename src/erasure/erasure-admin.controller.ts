import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../auth/access.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { MemberErasedDto } from './dto/member-erased.dto';
import { ErasureTargetPipe } from './erasure-target.pipe';
import { ErasureService } from './erasure.service';

@ApiTags('admin')
@AdminAccess()
@Controller('calling/admin/members')
export class ErasureAdminController {
  constructor(private readonly erasure: ErasureService) {}

  @Delete(':member')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'eraseMember',
    summary: 'Erase a member (admin)',
    description:
      'Erases what names the member: open sessions close first (as a removal), then their call memberships (roles, mute flags, raised hands), lobby entries, uid bindings, Agora mute rules, preferences, every event naming them (pending, failed or delivered) and their OTO# number. Their past sessions, media segments, the calls they created, rings and lobby decisions stay, for analytics and the calls\' totals, under a random anonymous id (negative, never a user id, not derived from theirs), so analytics of past windows do not change. Recordings made with their consent stay until their retention ends. ' +
      'Answers the counts per kind; erasing again (or a member never seen) answers zeros. When anything was erased, the webhook receives `member.erased` (no member in it: `data.erasure_id`, `erased_at`, `erased`). A token with the same user id afterwards starts a new member.',
  })
  @ApiParam({ name: 'member', description: 'The member: an OTO# number (URL-encoded, `OTO%23K7Q2ZD`) or an Ikoota user id', example: '456', type: 'string' })
  @ApiOkResponse({ type: MemberErasedDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: 'member is neither an OTO# number nor a positive user id' })
  erase(@Param('member', ErasureTargetPipe) userId: number | null): Promise<MemberErasedDto> {
    return this.erasure.erase(userId);
  }
}
