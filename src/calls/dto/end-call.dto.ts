export class CallEndedDto {
  /** @example true */
  success: boolean;
  /** @example "Call ended successfully" */
  message: string;
  /** @example "2023-12-01T11:30:00.000Z" */
  endedAt: string;
  /**
   * Whether Agora was asked to ban everyone from the channel: `applied`, `skipped` (no Agora
   * REST credentials configured) or `failed` (the call is ended regardless).
   * @example "skipped"
   */
  agoraKick: 'applied' | 'skipped' | 'failed';
}
