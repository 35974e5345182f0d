/** A call in the spec's snake_case row shape, with the caller's role and live head count. */
export class CallRowDto {
  /** @example 12345 */
  id: number;
  /** @example "Weekly Team Meeting" */
  title: string;
  /** @example "Discuss project progress" */
  description: string | null;
  /** @example "call_1672531200_abc123xyz" */
  channel_name: string;
  /** @example 456 */
  creator_id: number;
  /** @example false */
  is_public: boolean;
  /** @example 25 */
  max_participants: number;
  /** @example "active" */
  status: string;
  /** @example "2023-12-01T10:00:00.000Z" */
  created_at: string;
  /** The caller's role in the call: host, moderator or participant; null for a public call they have no place in. @example "host" */
  role: string | null;
  /** Members in the call right now. @example 8 */
  participant_count: number;
}

export class MutedFlagsDto {
  /** @example false */
  audio: boolean;
  /** @example false */
  video: boolean;
}

export class ActiveParticipantDto {
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** @example "participant" */
  role: string;
  /** @example "2023-12-01T10:00:00.000Z" */
  joined_at: string;
  /** @example "video" */
  media: string;
  /** Whether a host, moderator or admin muted the participant's audio or video. */
  muted: MutedFlagsDto;
}

export class CallDetailDto extends CallRowDto {
  /** @example null */
  ended_at: string | null;
  /** Who is in the call now, by OTO# number only. */
  participants: ActiveParticipantDto[];
}
