export class AdminCallDto {
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
  /** @example "ended" */
  status: string;
  /** @example "2023-12-01T10:00:00.000Z" */
  created_at: string;
  /** @example "2023-12-01T11:30:00.000Z" */
  ended_at: string | null;
  /** host, admin or system (idle). @example "admin" */
  ended_by: string | null;
}

export class AdminParticipantDto {
  /** @example 456 */
  user_id: number;
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** @example "host" */
  role: string;
  /** @example "2023-12-01T10:00:00.000Z" */
  joined_at: string;
  /** Null while the session is open. @example "2023-12-01T11:30:00.000Z" */
  left_at: string | null;
  /** Null while the session is open. @example 5400 */
  duration_seconds: number | null;
  /** Media at the end of the session (or now). @example "video" */
  media: string;
  /** left, removed, call_ended, or a presence reason. @example "call_ended" */
  leave_reason: string | null;
}

export class AdminCallStatsDto {
  /** Distinct members who joined. @example 12 */
  total_participants: number;
  /** Most members present at once. @example 8 */
  peak_participants: number;
  /** From creation to end (or to now while active). @example 5400 */
  total_duration_seconds: number;
  /** Summed audio segments, open ones counted up to now. @example 850 */
  audio_minutes_consumed: number;
  /** @example 720 */
  video_minutes_consumed: number;
}

export class CallDetailsDto {
  call: AdminCallDto;
  /** One row per participation session, oldest first. */
  participants: AdminParticipantDto[];
  stats: AdminCallStatsDto;
}

export class ParticipantRemovedDto {
  /** @example true */
  success: boolean;
  /** @example "Participant removed from call" */
  message: string;
  /**
   * Whether Agora was asked to kick the member's uid(s): `applied`, `skipped` (no Agora REST
   * credentials, or no uid was ever issued) or `failed` (the removal stands regardless).
   * @example "applied"
   */
  agoraKick: 'applied' | 'skipped' | 'failed';
}
