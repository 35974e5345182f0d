import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module';
import { AgoraWebhooksController } from './agora-webhooks.controller';
import { AgoraWebhooksService } from './agora-webhooks.service';

/** What Agora tells us about who is really in a channel. */
@Module({
  imports: [CallsModule],
  controllers: [AgoraWebhooksController],
  providers: [AgoraWebhooksService],
})
export class PresenceModule {}
