import { IsBoolean, IsOptional } from 'class-validator';
import { MutedFlagsDto } from '../../calls/dto/call-row.dto';

export class MuteMemberDto {
  /** true mutes the member's audio, false unmutes it; omitted leaves it as it is. @example true */
  @IsOptional()
  @IsBoolean()
  audio?: boolean;

  /** true mutes the member's video, false unmutes it; omitted leaves it as it is. @example false */
  @IsOptional()
  @IsBoolean()
  video?: boolean;
}

export class MemberMutedDto {
  /** @example true */
  success: boolean;
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** The member's mute flags after this request. */
  muted: MutedFlagsDto;
  /**
   * Whether Agora applied the change: `applied` (every kicking rule asked for was created or
   * deleted), `skipped` (nothing was sent: no Agora REST credentials, no uid to mute, or nothing
   * to change) or `failed` (the flags stand; asking again retries what failed).
   * @example "applied"
   */
  agoraMute: 'applied' | 'skipped' | 'failed';
}
