export interface CircuitBreakerOptions {
  /** How long to skip the resource after it first fails. */
  openMs: number;
  /** Each failed probe doubles the pause, up to this. */
  maxOpenMs: number;
  now?: () => number;
  /** Called when the circuit opens (it was closed): once per outage, not once per request. */
  onOpen?: (reason: string, forMs: number) => void;
  /** Called when a probe (or any call) succeeds while the circuit was open. */
  onClose?: () => void;
}

/**
 * Stops calling a resource that fails or times out, for a while, so an outage costs one failure
 * per pause rather than one per request:
 * - closed: every caller may use the resource;
 * - open: nobody may, until the pause is over;
 * - then one caller at a time is let through as a probe: success closes the circuit, failure
 *   opens it again for twice as long (up to `maxOpenMs`).
 * Every caller let through must report `succeeded()` or `failed()`.
 */
export class CircuitBreaker {
  private state: 'closed' | 'open' | 'probing' = 'closed';
  private openUntil = 0;
  private pauseMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
    this.pauseMs = options.openMs;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Whether this caller may use the resource now. */
  allows(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'probing' || this.now() < this.openUntil) return false;
    this.state = 'probing';
    return true;
  }

  succeeded(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.pauseMs = this.options.openMs;
    this.options.onClose?.();
  }

  failed(reason: string): void {
    if (this.state === 'closed') {
      this.pauseMs = this.options.openMs;
      this.open();
      this.options.onOpen?.(reason, this.pauseMs);
    } else if (this.state === 'probing') {
      this.pauseMs = Math.min(this.pauseMs * 2, Math.max(this.options.maxOpenMs, this.options.openMs));
      this.open();
    }
    // Already open: a call let through before it opened failed late; nothing new.
  }

  private open(): void {
    this.state = 'open';
    this.openUntil = this.now() + this.pauseMs;
  }
}
