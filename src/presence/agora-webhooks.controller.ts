import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/access.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { AgoraWebhooksService } from './agora-webhooks.service';
import { AgoraNoticeDto, WebhookAckDto } from './dto/agora-notice.dto';

/** The JSON parser keeps the exact body it parsed, for signature checks. */
type SignedRequest = FastifyRequest & { rawBody?: string };

@ApiTags('webhooks')
@Controller('calling/webhooks')
export class AgoraWebhooksController {
  constructor(private readonly webhooks: AgoraWebhooksService) {}

  /**
   * The body is read from the request, not through a DTO: the signature covers the exact bytes,
   * and Agora sends fields this service does not model (the global pipe would refuse them).
   */
  @Post('agora')
  @Public()
  @SkipThrottle()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'receiveAgoraNotice',
    summary: 'Agora Notification Center channel and recording events',
    description:
      'Register this URL with Agora NCS (RTC channel events). Signed with `AGORA_NCS_SECRET`; answers 404 when that is not configured. ' +
      'Each notice is applied once (by `noticeId`). Join events (103, 105, 107) confirm the presence of an open session; leave events ' +
      "(104, 106, 108) close it at the event's `ts` with Agora's reason (`agora_left`, `agora_timeout`, `agora_kicked`, ...); `clientSeq` " +
      'orders one user\'s events, so an older event never overrides a newer one, and nothing here reopens a session. 102 (channel destroyed) ' +
      'closes every session that was open in the channel; the call itself stays active. Cloud Recording notices (productId 3): 11 (session_exit) of a ' +
      'recording that was not being stopped marks it `failed`. Other events, channels and uids are acknowledged and ignored.',
  })
  @ApiHeader({ name: 'Agora-Signature-V2', required: true, description: 'Hex HMAC-SHA256 of the exact request body, keyed with the NCS secret' })
  @ApiHeader({ name: 'Agora-Signature', required: false, description: 'HMAC-SHA1 signature Agora also sends; not used' })
  @ApiBody({
    type: AgoraNoticeDto,
    examples: {
      leave: {
        summary: 'Communication-mode user left',
        value: {
          noticeId: '2000001428:4330:108',
          productId: 1,
          eventType: 108,
          notifyMs: 1672531260321,
          payload: { channelName: 'call_1672531200_abc123xyz', uid: 789012, platform: 1, clientSeq: 1672531260123, ts: 1672531260, reason: 1, duration: 60 },
        },
      },
    },
  })
  @ApiOkResponse({ type: WebhookAckDto, description: 'Applied, or acknowledged and ignored (re-delivery, unknown event, channel or uid)' })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'Correctly signed, but noticeId, eventType or the payload fields this event needs are missing or wrong' },
    { code: 'WEBHOOK_SIGNATURE_INVALID', when: 'Agora-Signature-V2 is missing or does not match the body' },
    { code: 'ROUTE_NOT_FOUND', when: 'AGORA_NCS_SECRET is not configured: webhooks are off (answered as an unknown route, message "Not Found")' },
    'DATABASE_UNAVAILABLE',
  )
  receive(@Req() request: SignedRequest): Promise<WebhookAckDto> {
    return this.webhooks.receive(request.rawBody, request.headers['agora-signature-v2'], request.body);
  }
}
