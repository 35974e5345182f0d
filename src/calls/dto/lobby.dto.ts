import { ApiProperty } from '@nestjs/swagger';

/** Where a waiting member stands in the lobby. */
export class LobbyPlaceDto {
  /** When the member knocked (this wait). @example "2023-12-01T09:58:00.000Z" */
  since: string;
  /** 1 for the member who has waited longest. @example 2 */
  @ApiProperty({ type: 'integer', minimum: 1 })
  position: number;
}

/** The join's answer while the member waits in the lobby (202): no channel, no session, no slot. */
export class LobbyWaitingDto {
  /** @example true */
  success: boolean;
  /** @example "waiting" */
  @ApiProperty({ enum: ['waiting'] })
  status: 'waiting';
  /** @example "Weekly Team Meeting" */
  callTitle: string;
  lobby: LobbyPlaceDto;
}

/** One member waiting in the lobby, by OTO# number only. */
export class LobbyMemberDto {
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** When they knocked. @example "2023-12-01T09:58:00.000Z" */
  since: string;
  /** @example 1 */
  @ApiProperty({ type: 'integer', minimum: 1 })
  position: number;
}

export class LobbyListDto {
  /** @example true */
  success: boolean;
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  callId: number;
  /** Who waits now, oldest first. */
  waiting: LobbyMemberDto[];
}

/** A decision on one member of the lobby. */
export class LobbyDecisionDto {
  /** @example true */
  success: boolean;
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** The member's lobby state now: `admitted` (their next join comes in) or `denied` (their joins answer 403 `LOBBY_DENIED`). @example "admitted" */
  @ApiProperty({ enum: ['admitted', 'denied'] })
  state: 'admitted' | 'denied';
}

export class LobbyAdmittedAllDto {
  /** @example true */
  success: boolean;
  /** Who was admitted, by OTO# number, longest waiting first (empty when nobody waited). @example ["OTO#K7Q2ZD", "OTO#M3X9PA"] */
  admitted: string[];
}
