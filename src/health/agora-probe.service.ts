import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { agoraConfig } from '../config/agora.config';

export interface AgoraReachability {
  status: 'reachable' | 'unreachable' | 'disabled';
  checkedAt?: string;
  latencyMs?: number;
  detail?: string;
}

const PROBE_TIMEOUT_MS = 2000;

/**
 * Whether Agora's REST endpoint answers: any HTTP response counts as reachable. The answer is
 * cached, so health checks by a load balancer never turn into a flood of outbound requests, and
 * a failure is reported, never thrown.
 */
@Injectable()
export class AgoraProbeService {
  private last?: { at: number; result: AgoraReachability };
  private inFlight?: Promise<AgoraReachability>;

  constructor(@Inject(agoraConfig.KEY) private readonly config: ConfigType<typeof agoraConfig>) {}

  async reachability(): Promise<AgoraReachability> {
    const url = this.config.healthUrl;
    if (!url) return { status: 'disabled' };
    if (this.last && Date.now() - this.last.at < this.config.healthCacheSeconds * 1000) return this.last.result;
    this.inFlight ??= this.probe(url).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async probe(url: string): Promise<AgoraReachability> {
    const started = Date.now();
    let result: AgoraReachability;
    try {
      const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.body?.cancel();
      result = { status: 'reachable', checkedAt: new Date().toISOString(), latencyMs: Date.now() - started };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      result = { status: 'unreachable', checkedAt: new Date().toISOString(), latencyMs: Date.now() - started, detail: cause };
    }
    this.last = { at: Date.now(), result };
    return result;
  }
}
