import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_MEMBER_UID } from '../../calls/assigned-uids.service';
import { CHANNEL_NAME_MAX_LENGTH } from '../../calls/call-fields';
import { MediaEncryptionDto } from '../../calls/dto/join-call.dto';
import { CodePointLength } from '../../common/validation/code-point-length.decorator';

/** Agora's channel-name alphabet: a-z A-Z 0-9 space and ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ , */
export const AGORA_CHANNEL_NAME = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;
export const MAX_AGORA_UID = 4_294_967_295;

export class CreateTokenDto {
  /** The call's channel, as join returned it. @example "call_1672531200_abc123xyz" */
  @IsString()
  @CodePointLength(1, CHANNEL_NAME_MAX_LENGTH)
  @ApiProperty({ pattern: AGORA_CHANNEL_NAME.source })
  @Matches(AGORA_CHANNEL_NAME, { message: "channelName may only contain a-z A-Z 0-9 space and ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ ," })
  channelName: string;

  /**
   * The Agora uid to join as: an integer 1 .. 4294967039 (0, Agora's wildcard, is never issued;
   * 4294967040 .. 4294967295 are the service's own, e.g. the recorder's).
   * Optional: without it the token is for the uid the service assigned the caller at join (the
   * join answer's `uid`). A uid the client picks is bound to the caller within this call on
   * first use.
   * @example 789012
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MEMBER_UID, { message: 'uid must not be greater than 4294967039 (4294967040 .. 4294967295 are reserved for the service)' })
  @ApiPropertyOptional({ type: 'integer' })
  uid?: number;

  /**
   * `publisher` (the default) or `subscriber` (no publish privileges). On a stage a listener's
   * token is always a subscriber token: asking for `publisher` is 403 `NOT_A_SPEAKER`.
   * @example "publisher"
   */
  @IsOptional()
  @IsIn(['publisher', 'subscriber'])
  role?: 'publisher' | 'subscriber';
}

export class RtcTokenDto {
  /** AccessToken2 for Agora RTC (starts with "007"). @example "007eJxTYBBbsMf..." */
  token: string;
  /** @example "0123456789abcdef0123456789abcdef" */
  appId: string;
  /** @example "call_1672531200_abc123xyz" */
  channelName: string;
  /** @example 789012 */
  @ApiProperty({ type: 'integer' })
  uid: number;
  /** Unix time (seconds) when the token expires. @example 1672531200 */
  @ApiProperty({ type: 'integer' })
  expiresAt: number;
  /**
   * What the token allows: `publisher` (publish and subscribe, less any muted medium) or
   * `subscriber` (no publish privileges: a stage listener, or asked for). @example "publisher"
   */
  @ApiProperty({ enum: ['publisher', 'subscriber'] })
  role: 'publisher' | 'subscriber';
  /**
   * Encrypted calls only (absent when the call's `encryption` is `none`): the mode, key and salt
   * the channel uses now, as the join answered them (issue 26).
   */
  @ApiPropertyOptional({ type: MediaEncryptionDto })
  encryption?: MediaEncryptionDto;
}
