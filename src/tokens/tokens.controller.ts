import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiForbiddenResponse, ApiInternalServerErrorResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MemberAccess } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
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
    summary: 'Generate an Agora RTC token',
    description:
      'Only for a member who has joined the active call that owns the channel (and was not removed). The uid is bound to the caller in this call on first use; asking again renews the token.',
  })
  @ApiOkResponse({ type: RtcTokenDto })
  @ApiBadRequestResponse({ description: 'Bad channelName or uid (uid must be 1 .. 4294967295)', schema: { example: { statusCode: 400, error: 'Bad Request', message: 'uid must not be less than 1', code: 'VALIDATION_FAILED' } } })
  @ApiForbiddenResponse({ description: 'Access denied to this call', schema: { example: { statusCode: 403, error: 'Forbidden', message: 'Access denied to this call', code: 'CALL_ACCESS_DENIED' } } })
  @ApiConflictResponse({ description: 'The uid is bound to another participant of this call', schema: { example: { statusCode: 409, error: 'Conflict', message: 'This uid is already in use by another participant of this call', code: 'UID_TAKEN' } } })
  @ApiInternalServerErrorResponse({ description: 'Token generation failed', schema: { example: { statusCode: 500, error: 'Internal Server Error', message: 'Token generation failed', code: 'TOKEN_GENERATION_FAILED' } } })
  issue(@CurrentUser() user: AuthUser, @Body() dto: CreateTokenDto): Promise<RtcTokenDto> {
    return this.tokens.issue(user, dto);
  }
}
