import { Inject, Injectable, Logger, LoggerService, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { agoraConfig } from '../config/agora.config';
import { AgoraRest, StartRateLimiter } from './agora-rest';

/**
 * How long a kicking rule bans its target, in seconds (Agora accepts 10 .. 86430).
 *
 * Agora tokens cannot be revoked: a token issued before a removal (or before a call ended)
 * stays valid until its own expiry. This service refuses new tokens at once, so the ban only has
 * to outlast the tokens already issued: the token lifetime plus a minute, capped at Agora's
 * maximum (the default lifetime, 86400 s, gives the maximum).
 */
export function banSecondsFor(tokenTtlSeconds: number): number {
  return Math.min(MAX_BAN_SECONDS, Math.max(MIN_BAN_SECONDS, tokenTtlSeconds + 60));
}
export const MAX_BAN_SECONDS = 86430;
export const MIN_BAN_SECONDS = 10;

/** A kicking rule request that takes longer than this counts as failed. */
export const KICK_REQUEST_TIMEOUT_MS = 3000;

/**
 * Agora allows about 10 channel-management requests per second per account. Requests are started
 * at most RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW_MS; the window is a little over a second so
 * network jitter cannot squeeze eleven arrivals into one second at Agora's end.
 */
export const RATE_LIMIT_REQUESTS = 10;
export const RATE_LIMIT_WINDOW_MS = 1100;

export const KICKING_RULE_PATH = '/dev/v1/kicking-rule';

/** `applied`: Agora accepted the rule; `skipped`: no REST credentials; `failed`: anything else. */
export type KickOutcome = 'applied' | 'skipped' | 'failed';

/** Optional knobs, mainly for tests; production uses the defaults. */
export interface AgoraChannelOptions {
  timeoutMs?: number;
  logger?: Pick<LoggerService, 'warn'>;
  /** Shared by every caller of Agora's REST API in this process (see AGORA_ACCOUNT_LIMITER). */
  limiter?: StartRateLimiter;
}

/**
 * Every REST request this process sends Agora (kicks, channel user lists) starts under this one
 * limit, since Agora counts them together per account.
 */
export const AGORA_ACCOUNT_LIMITER = new StartRateLimiter(RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW_MS);

export const AGORA_CHANNEL_OPTIONS = Symbol('AGORA_CHANNEL_OPTIONS');

/** What a kicking rule takes away: joining the channel (a kick), or publishing audio or video (a mute). */
export type RulePrivilege = 'join_channel' | 'publish_audio' | 'publish_video';

interface KickingRuleBody {
  appid: string;
  cname: string;
  uid?: number;
  time_in_seconds: number;
  privileges: RulePrivilege[];
}

/** A mute rule's outcome, with the id Agora gave the rule when it was applied (to delete it on unmute). */
export interface MuteRuleOutcome {
  outcome: KickOutcome;
  ruleId?: number;
}

/**
 * Agora's channel-management REST API, used when a participant is removed or muted, or a call ends.
 * Kicking is best effort: the outcome is reported, never thrown, so the admin action itself
 * (which also stops new tokens) succeeds whether or not Agora answered.
 */
@Injectable()
export class AgoraChannelService {
  private readonly rest: AgoraRest;
  private readonly logger: Pick<LoggerService, 'warn'>;

  constructor(
    @Inject(agoraConfig.KEY) private readonly config: ConfigType<typeof agoraConfig>,
    @Optional() @Inject(AGORA_CHANNEL_OPTIONS) options: AgoraChannelOptions = {},
  ) {
    this.rest = new AgoraRest(config, options.timeoutMs ?? KICK_REQUEST_TIMEOUT_MS, [options.limiter ?? AGORA_ACCOUNT_LIMITER]);
    this.logger = options.logger ?? new Logger(AgoraChannelService.name);
  }

  isConfigured(): boolean {
    return this.rest.isConfigured();
  }

  /** Bans one uid from a channel (which also drops it from the channel now). */
  async kickUser(channelName: string, uid: number): Promise<KickOutcome> {
    return (await this.applyRule({ cname: channelName, uid, time_in_seconds: banSecondsFor(this.config.tokenTtlSeconds) }, 'join_channel')).outcome;
  }

  /** Bans everyone from a channel: the call has ended. */
  async kickChannel(channelName: string): Promise<KickOutcome> {
    return (await this.applyRule({ cname: channelName, time_in_seconds: banSecondsFor(this.config.tokenTtlSeconds) }, 'join_channel')).outcome;
  }

  /**
   * Stops one uid publishing audio or video in a channel for the rest of the token lifetime (a
   * mute). Applied only when Agora answers with the rule's id, which `deleteRule` needs to lift it.
   */
  muteUser(channelName: string, uid: number, privilege: 'publish_audio' | 'publish_video'): Promise<MuteRuleOutcome> {
    return this.applyRule({ cname: channelName, uid, time_in_seconds: banSecondsFor(this.config.tokenTtlSeconds) }, privilege, true);
  }

  /** Deletes a kicking rule by the id its POST answered (an unmute). */
  async deleteRule(ruleId: number): Promise<KickOutcome> {
    if (!this.rest.isConfigured()) return 'skipped';
    const answer = await this.rest.send('DELETE', KICKING_RULE_PATH, { appid: this.config.appId, id: ruleId });
    if ('ok' in answer && answer.ok) return 'applied';
    this.logger.warn({ msg: 'agora kicking rule delete failed', ruleId, ...('error' in answer ? { error: answer.error } : { status: answer.status }) });
    return 'failed';
  }

  private async applyRule(rule: { cname: string; uid?: number; time_in_seconds: number }, privilege: RulePrivilege, needsId = false): Promise<MuteRuleOutcome> {
    if (!this.rest.isConfigured()) return { outcome: 'skipped' };
    const body: KickingRuleBody = {
      appid: this.config.appId,
      cname: rule.cname,
      ...(rule.uid === undefined ? {} : { uid: rule.uid }),
      time_in_seconds: rule.time_in_seconds,
      privileges: [privilege],
    };
    const answer = await this.rest.send('POST', KICKING_RULE_PATH, body);
    if ('ok' in answer && answer.ok) {
      const id = (answer.body as { id?: unknown } | undefined)?.id;
      if (typeof id === 'number' && Number.isSafeInteger(id)) return { outcome: 'applied', ruleId: id };
      if (!needsId) return { outcome: 'applied' };
      this.warn(rule, { status: answer.status, error: 'no rule id in the answer' });
      return { outcome: 'failed' };
    }
    this.warn(rule, 'error' in answer ? { error: answer.error } : { status: answer.status });
    return { outcome: 'failed' };
  }

  /** Only the channel, the uid and a status or error code: never credentials or headers. */
  private warn(rule: { cname: string; uid?: number }, detail: { status?: number; error?: string }): void {
    this.logger.warn({ msg: 'agora kicking rule failed', channel: rule.cname, uid: rule.uid, ...detail });
  }
}
