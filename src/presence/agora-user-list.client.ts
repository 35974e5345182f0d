import { Inject, Injectable, Logger, LoggerService, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AGORA_ACCOUNT_LIMITER, RATE_LIMIT_WINDOW_MS } from '../agora/agora-channel.service';
import { AgoraRest, StartRateLimiter } from '../agora/agora-rest';
import { agoraConfig } from '../config/agora.config';

/** Channel user-list requests started per RATE_LIMIT_WINDOW_MS: about 5 a second, half of what Agora allows. */
export const USER_LIST_REQUESTS_PER_WINDOW = 5;
export const USER_LIST_TIMEOUT_MS = 3000;

export const userListPath = (appId: string, channelName: string): string => `/dev/v1/channel/user/${encodeURIComponent(appId)}/${encodeURIComponent(channelName)}`;

export interface AgoraUserListOptions {
  timeoutMs?: number;
  logger?: Pick<LoggerService, 'warn'>;
}

export const AGORA_USER_LIST_OPTIONS = Symbol('AGORA_USER_LIST_OPTIONS');

interface UserListBody {
  success?: unknown;
  data?: { channel_exist?: unknown; users?: unknown; broadcasters?: unknown; audience?: unknown };
}

const uidsOf = (value: unknown): number[] => (Array.isArray(value) ? value.filter((uid): uid is number => Number.isSafeInteger(uid)) : []);

/**
 * Asks Agora who is in a channel right now (`GET /dev/v1/channel/user/{appid}/{channelName}`),
 * for the sweeper's last word before it closes a session for lack of evidence. Only a clear
 * answer counts: Agora unreachable, slow or answering an error is no answer at all, since the
 * absence of an answer is never evidence of absence.
 */
@Injectable()
export class AgoraUserListClient {
  private readonly rest: AgoraRest;
  private readonly logger: Pick<LoggerService, 'warn'>;

  constructor(
    @Inject(agoraConfig.KEY) config: ConfigType<typeof agoraConfig>,
    @Optional() @Inject(AGORA_USER_LIST_OPTIONS) options: AgoraUserListOptions = {},
  ) {
    const ownShare = new StartRateLimiter(USER_LIST_REQUESTS_PER_WINDOW, RATE_LIMIT_WINDOW_MS);
    this.rest = new AgoraRest(config, options.timeoutMs ?? USER_LIST_TIMEOUT_MS, [ownShare, AGORA_ACCOUNT_LIMITER]);
    this.logger = options.logger ?? new Logger(AgoraUserListClient.name);
  }

  isConfigured(): boolean {
    return this.rest.isConfigured();
  }

  /** The uids in the channel now (empty when the channel does not exist); undefined without a clear answer. */
  async usersIn(channelName: string): Promise<Set<number> | undefined> {
    const answer = await this.rest.send('GET', userListPath(this.rest.appId, channelName));
    if ('error' in answer) return this.noAnswer(channelName, { error: answer.error });
    const body = answer.body as UserListBody | undefined;
    if (!answer.ok || body?.success !== true || typeof body.data !== 'object' || body.data === null) return this.noAnswer(channelName, { status: answer.status });
    const { data } = body;
    if (data.channel_exist === false) return new Set();
    if (data.channel_exist !== true || (data.users === undefined && data.broadcasters === undefined && data.audience === undefined)) {
      return this.noAnswer(channelName, { status: answer.status, error: 'unexpected body' });
    }
    return new Set([...uidsOf(data.users), ...uidsOf(data.broadcasters), ...uidsOf(data.audience)]);
  }

  /** Only the channel and a status or error code: never credentials. */
  private noAnswer(channelName: string, detail: { status?: number; error?: string }): undefined {
    this.logger.warn({ msg: 'agora channel user list unavailable: sessions kept', channel: channelName, ...detail });
    return undefined;
  }
}
