import { ConfigType } from '@nestjs/config';
import { agoraRestRequests } from '../common/metrics/counters';
import { agoraConfig } from '../config/agora.config';

/**
 * Starts at most `limit` tasks in any `windowMs`, in call order. Calls queue on one promise
 * chain; each waits until the oldest start in the window has aged out.
 */
export class StartRateLimiter {
  private readonly starts: number[] = [];
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  acquire(): Promise<void> {
    const turn = this.tail.then(() => this.waitForSlot());
    this.tail = turn;
    return turn;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.starts.length > 0 && now - this.starts[0] >= this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.starts[0] + this.windowMs - now));
    }
  }
}

/** What one request to Agora's REST API came to: its status and JSON body, or why there was none. */
export type AgoraAnswer = { status: number; ok: boolean; body: unknown } | { error: string };

/**
 * The HTTP side of Agora's REST API, shared by every caller: Basic auth with the Customer ID and
 * Secret, a bounded wait, no redirects followed with the credentials attached, and failures
 * reported as values (a status or an error code), never thrown and never carrying credentials.
 */
export class AgoraRest {
  constructor(
    private readonly config: ConfigType<typeof agoraConfig>,
    private readonly timeoutMs: number,
    /** Each request waits for a start under every one of these, in order. */
    private readonly limiters: StartRateLimiter[],
  ) {}

  isConfigured(): boolean {
    return Boolean(this.config.customerId && this.config.customerSecret);
  }

  get appId(): string {
    return this.config.appId;
  }

  async send(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AgoraAnswer> {
    const credentials = Buffer.from(`${this.config.customerId}:${this.config.customerSecret}`).toString('base64');
    try {
      for (const limiter of this.limiters) await limiter.acquire();
      const response = await fetch(`${this.config.apiBaseUrl}${path}`, {
        method,
        headers: { Authorization: `Basic ${credentials}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text().catch(() => '');
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      agoraRestRequests.inc({ result: `${Math.floor(response.status / 100)}xx` });
      return { status: response.status, ok: response.ok, body: parsed };
    } catch (error) {
      const failure = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      agoraRestRequests.inc({ result: failure });
      return { error: failure };
    }
  }
}
