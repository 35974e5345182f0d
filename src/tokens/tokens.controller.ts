import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { RateLimit } from '../common/throttling/rate-limit';
import { CreateTokenDto, RtcTokenDto } from './dto/create-token.dto';
import { TokensService } from './tokens.service';

@ApiTags('tokens')
@MemberAccess()
@Controller('calling')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post('token')
  @HttpCode(200)
  @RateLimit('token')
  @ApiOperation({
    operationId: 'issueToken',
    summary: 'Generate an Agora RTC token',
    description:
      'Only for a member who has joined the active call that owns the channel (and was not removed); anyone else gets 403 `CALL_ACCESS_DENIED`, with or without a uid. ' +
      'The uid is bound to the caller in this call on first use; asking again renews the token. ' +
      'A muted member gets a token without the publish privilege of the muted media, under any uid; with Agora REST credentials, the kicking rules that keep those media off cover the ' +
      "token's whole lifetime before it is answered (a rule is posted for a new uid, or renewed when the token would outlive it). " +
      'On a stage, a listener\'s token has no publish privileges (`role: "subscriber"` in the answer, whatever the body says but `publisher`, which is 403 `NOT_A_SPEAKER`); a speaker\'s has them. ' +
      'Agora enforces the publish privileges in a token only once co-host authentication is enabled for the project; a demoted speaker is also kept off by kicking rules (with REST credentials), as a muted member is. ' +
      "In an encrypted call the answer carries `encryption: { mode, key, salt }`, the channel's current ones (as the join answered them).",
  })
  @ApiOkResponse({ type: RtcTokenDto })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'Bad channelName or uid (uid must be 1 .. 4294967039; the top 256 uids belong to the service)' },
    { code: 'CALL_ACCESS_DENIED', when: 'The caller has no open session in the active call that owns the channel, or was removed' },
    { code: 'UID_TAKEN', when: 'The uid is bound to another participant of this call' },
    { code: 'NOT_A_SPEAKER', when: 'A listener on a stage asked for role publisher' },
    'TOKEN_GENERATION_FAILED',
    { code: 'ENCRYPTION_UNAVAILABLE', when: "An encrypted call whose media key this service cannot open (another MEDIA_KEY_SECRET): join again" },
    { code: 'MUTE_ENFORCEMENT_UNAVAILABLE', when: "The caller is muted, Agora did not accept the kicking rule the token needs, and the rules in force cover less than a minute of it" },
  )
  issue(@CurrentUser() user: AuthUser, @Body() dto: CreateTokenDto): Promise<RtcTokenDto> {
    return this.tokens.issue(user, dto);
  }
}
