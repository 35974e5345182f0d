import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STAGE_ROLES, type StageRole } from '../stage-roles';
import { IsIn, IsOptional } from 'class-validator';
import type { VideoQuality } from '../../preferences/entities/call-preference.entity';
import type { CallRole } from '../entities/call-member.entity';
import type { CallMedia } from '../entities/call-session.entity';
import { ENCRYPTION_MODES, type MediaEncryptionMode } from '../entities/call.entity';

const ENCRYPTED_MODES = ENCRYPTION_MODES.filter((mode) => mode !== 'none');

export class JoinCallDto {
  /**
   * The media the member starts with. Optional: the body itself may be empty.
   * @example "video"
   */
  @IsOptional()
  @IsIn(['audio', 'video'])
  media?: CallMedia;
}

/** What the service expects of the client to know it is still in the call. */
export class JoinPresenceDto {
  /**
   * Heartbeats (POST /:callId/heartbeat) are optional. A client that sends one is then expected
   * to send one this often; in return a crash is noticed within the presence timeout even when
   * Agora's webhooks are off. A client that never sends one stays in the call until it leaves,
   * is removed, the call ends, or its newest Agora token expires. @example 30
   */
  @ApiProperty({ type: 'integer' })
  heartbeatIntervalSeconds: number;
  /** Always false: no client is dropped for not sending heartbeats. @example false */
  heartbeatRequired: boolean;
}

/** What every client of an encrypted call sets before joining the channel (Agora's built-in encryption, issue 26). */
export class MediaEncryptionDto {
  /** Agora's `EncryptionMode`: AES_128_GCM2 or AES_256_GCM2. @example "aes-256-gcm2" */
  @ApiProperty({ enum: ENCRYPTED_MODES })
  mode: Exclude<MediaEncryptionMode, 'none'>;
  /** `encryptionKey`: 32 random bytes as 64 hex characters. @example "9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8" */
  key: string;
  /** `encryptionKdfSalt`: 32 random bytes, base64 (decode to the 32-byte array). @example "q3J0aWNsZS1zYWx0LWV4YW1wbGUtMzItYnl0ZXMtbG9uZyE=" */
  salt: string;
}

export class JoinCallResponseDto {
  /** @example true */
  success: boolean;
  /** @example "call_1672531200_abc123xyz" */
  channelName: string;
  /** @example "Weekly Team Meeting" */
  callTitle: string;
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  callId: number;
  /**
   * The caller's Agora uid in this call, assigned by the service: never 0, unique in the call,
   * the same on every rejoin, unrelated to the caller's uid in any other call. A token request
   * without `uid` is for this one. @example 2847561093
   */
  @ApiProperty({ type: 'integer' })
  uid: number;
  /** The caller's role in this call. @example "participant" */
  role: CallRole;
  /** @example "video" */
  media: CallMedia;
  /** When this participation session started. @example "2023-12-01T10:00:00.000Z" */
  joinedAt: string;
  /** Masking preferences to apply on entry. @example true */
  voice_masking_enabled: boolean;
  /** @example true */
  video_masking_enabled: boolean;
  /** @example false */
  auto_mute_on_join: boolean;
  /** @example "hd" */
  video_quality: VideoQuality;
  /** @example "avatar_001.png" */
  preferred_avatar: string | null;
  presence: JoinPresenceDto;
  /**
   * Stage calls only (absent on a conference): `speaker` (the host, moderators and promoted
   * members: their tokens may publish) or `listener` (their tokens subscribe only; raise a hand
   * with POST /:callId/hand). @example "listener"
   */
  @ApiPropertyOptional({ enum: [...STAGE_ROLES] })
  stageRole?: StageRole;
  /**
   * Encrypted calls only (absent when the call's `encryption` is `none`): the mode, key and salt
   * every client in the channel must use; a rejoin while others are in gets the same, a join into
   * an empty call a new pair. Keep them in memory only.
   */
  @ApiPropertyOptional({ type: MediaEncryptionDto })
  encryption?: MediaEncryptionDto;
}

export class SuccessDto {
  /** @example true */
  success: boolean;
}
