import { Module } from '@nestjs/common';
import { AgoraChannelService } from './agora-channel.service';

/** Agora's channel-management REST API (kicking rules); reads the global `agora` config. */
@Module({
  providers: [AgoraChannelService],
  exports: [AgoraChannelService],
})
export class AgoraModule {}
