import { ApiProperty } from '@nestjs/swagger';

const count = (description: string, example = 0) => ApiProperty({ type: 'integer', minimum: 0, description, example });

/** What one erasure deleted or anonymised, per kind: all zeros when nothing named the member (erasing twice). */
export class ErasedCountsDto {
  @count('The member itself: their row with their OTO# number (1, or 0 when already gone)', 1)
  member: number;

  @count('Stored masking and media preferences', 1)
  preferences: number;

  @count('Idempotency keys they used, with the answers stored for them', 2)
  idempotency_keys: number;

  @count('Call memberships (with role, mute flags and raised hand)', 3)
  call_memberships: number;

  @count('Open sessions closed first, as a removal', 1)
  open_sessions_closed: number;

  @count('Raised hands among those memberships', 1)
  raised_hands: number;

  @count('Lobby entries', 1)
  lobby_entries: number;

  @count('Agora uid bindings', 2)
  uid_bindings: number;

  @count('Agora mute rules kept for them', 1)
  mute_rules: number;

  @count('Events naming them, pending, failed or delivered', 12)
  events: number;

  @count('Past sessions now under the anonymous id (kept for analytics and the calls\' totals)', 7)
  sessions_anonymised: number;

  @count('Media segments of those sessions, under the anonymous id', 9)
  media_segments_anonymised: number;

  @count('Calls they created, now with the anonymous id as creator (the calls stay)', 2)
  calls_created_anonymised: number;

  @count('Direct-call rings they placed or received, under the anonymous id', 0)
  rings_anonymised: number;

  @count('Lobby decisions they made, under the anonymous id', 0)
  lobby_decisions_anonymised: number;

  @count('Recordings they started, under the anonymous id (the recordings stay until their retention ends)', 0)
  recordings_started_anonymised: number;
}

/** The answer to an erasure: what it erased. The member is not named in it. */
export class MemberErasedDto {
  /**
   * This erasure's id, random; the `member.erased` event sent when anything was erased carries it
   * (`data.erasure_id`).
   * @example "5b0f8e0a-3c1d-4a7e-9f52-6f1c2d3e4a5b"
   */
  erasure_id: string;

  /** @example "2026-01-05T09:00:00.000Z" */
  erased_at: string;

  erased: ErasedCountsDto;
}
