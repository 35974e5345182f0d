export class HeartbeatResultDto {
  /** @example true */
  success: boolean;
  /** Sessions not confirmed for this long are closed; heartbeat well within it. @example 120 */
  timeoutSeconds: number;
}
