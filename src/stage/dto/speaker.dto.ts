import { ApiProperty } from '@nestjs/swagger';
import { STAGE_ROLES, type StageRole } from '../../calls/stage-roles';

export class SpeakerChangedDto {
  /** @example true */
  success: boolean;
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** The member's stage role after this request. @example "speaker" */
  @ApiProperty({ enum: [...STAGE_ROLES] })
  stageRole: StageRole;
  /** The stage's speakers after this request (host and moderators included). @example 3 */
  @ApiProperty({ type: 'integer' })
  speaker_count: number;
  /**
   * The Agora side, with REST credentials: a demoted speaker gets kicking rules on
   * `publish_audio` and `publish_video` for every uid bound to them, covering any token they
   * hold; a promotion deletes them. `applied` (every request asked for succeeded), `skipped`
   * (nothing to send: no credentials, no uid, nothing to change) or `failed` (the change stands;
   * asking again retries). @example "skipped"
   */
  agoraRules: 'applied' | 'skipped' | 'failed';
}
