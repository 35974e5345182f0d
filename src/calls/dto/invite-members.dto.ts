import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min } from 'class-validator';

export class InviteMembersDto {
  /**
   * Ikoota user ids to admit to the call (1-100).
   * @example [101, 102]
   */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(2_147_483_647, { each: true })
  @ApiProperty({ type: 'integer', isArray: true })
  userIds: number[];
}

export class InviteResultDto {
  /** @example true */
  success: boolean;
  /** Users who became members of the call now. @example [101] */
  @ApiProperty({ type: 'integer', isArray: true })
  invited: number[];
  /** Users who were members already (their role is unchanged). @example [102] */
  @ApiProperty({ type: 'integer', isArray: true })
  alreadyMembers: number[];
}
