import { IsIn } from 'class-validator';

export class ChangeRoleDto {
  /** The member's new role in the call. @example "moderator" */
  @IsIn(['moderator', 'participant'])
  role: 'moderator' | 'participant';
}

export class MemberRoleDto {
  /** @example true */
  success: boolean;
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** @example "moderator" */
  role: string;
}
