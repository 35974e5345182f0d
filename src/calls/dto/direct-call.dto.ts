import { ApiProperty } from '@nestjs/swagger';
import { IsIn, ValidateBy } from 'class-validator';
import { OTO_NUMBER_PATTERN } from '../../auth/auth-user';
import type { CallMedia } from '../entities/call-session.entity';
import { CallCreatedDto } from './call-created.dto';

const MAX_ID = 2_147_483_647;

/** An OTO# number, or a positive user id (a number, or digits in a string). */
export function isCallee(value: unknown): value is string | number {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= MAX_ID;
  if (typeof value !== 'string') return false;
  return OTO_NUMBER_PATTERN.test(value) || (/^\d{1,10}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_ID);
}

export class StartDirectCallDto {
  /** Who to call: their OTO# number, or their Ikoota user id. @example "OTO#K7Q2ZD" */
  @ValidateBy({ name: 'isCallee', validator: { validate: isCallee, defaultMessage: () => 'callee must be an OTO# number (OTO# and 6 of A-Z 0-9) or a positive user id' } })
  @ApiProperty({ oneOf: [{ type: 'string', example: 'OTO#K7Q2ZD' }, { type: 'integer', example: 456 }] })
  callee: string | number;

  /** @example "audio" */
  @IsIn(['audio', 'video'])
  @ApiProperty({ enum: ['audio', 'video'] })
  media: CallMedia;
}

export class DirectCallMemberDto {
  /** @example 456 */
  @ApiProperty({ type: 'integer' })
  user_id: number;
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
}

/** What create answers, plus the ringing. */
export class DirectCallCreatedDto extends CallCreatedDto {
  /** A direct call rings until the callee accepts or declines, the caller cancels, or nobody answers in time. @example "ringing" */
  @ApiProperty({ enum: ['ringing'] })
  status: 'ringing';
  callee: DirectCallMemberDto;
  /** @example "audio" */
  @ApiProperty({ enum: ['audio', 'video'] })
  media: CallMedia;
  /** When it is missed if nobody answers. @example "2026-01-05T09:00:45.000Z" */
  ringExpiresAt: string;
}

export class DirectCallOutcomeDto {
  /** @example true */
  success: boolean;
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  callId: number;
  /** @example "declined" */
  @ApiProperty({ enum: ['declined', 'cancelled'] })
  status: 'declined' | 'cancelled';
}
