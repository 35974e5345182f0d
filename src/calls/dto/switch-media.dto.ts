import { IsIn } from 'class-validator';
import type { CallMedia } from '../entities/call-session.entity';

export class SwitchMediaDto {
  /** The medium the caller uses from now on. @example "audio" */
  @IsIn(['audio', 'video'])
  media: CallMedia;
}

export class SwitchMediaResultDto {
  /** @example true */
  success: boolean;
  /** @example "audio" */
  media: CallMedia;
}
