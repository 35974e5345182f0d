/** The answer to a removal (the member-facing route and the admin one). */
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
