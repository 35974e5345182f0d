import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { RtcRole, RtcTokenBuilder } from 'agora-token';
import { AccessToken2, ServiceRtc } from 'agora-token/src/AccessToken2';
import { AuthUser } from '../auth/auth-user';
import { admissionRefusal } from '../calls/admission';
import { AssignedUids } from '../calls/assigned-uids.service';
import { TOKEN_EXPIRY_LAG_MS } from '../calls/call-fields';
import { CallsService } from '../calls/calls.service';
import { MediaKey, MediaKeys } from '../calls/media-keys.service';
import { stageRoleOf } from '../calls/stage-roles';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { agoraConfig } from '../config/agora.config';
import { scheduleConfig } from '../config/schedule.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { CreateTokenDto, RtcTokenDto } from './dto/create-token.dto';
import { TokenAdmission, TokensRepository } from './tokens.repository';
import { tokensIssued } from '../common/metrics/counters';
import type { MutePrivilege } from '../moderation/entities/mute-rule.entity';
import { forbiddenPrivileges, PublishRestrictions } from '../moderation/publish-restrictions.service';

const ACCESS_DENIED = 'Access denied to this call';
const UID_TAKEN = 'This uid is already in use by another participant of this call';
/** The shortest token a muted member is given when Agora did not accept a new rule: less is refused. */
const MIN_COVERED_TOKEN_SECONDS = 60;

/**
 * A token lifetime of `ttl` seconds cut at the call's scheduled end: whole seconds from `now` to
 * `endsAt`, rounded down. Less than a second left is no token (the call is over then).
 */
function untilEnd(ttl: number, endsAt: Date | null, now: Date): number {
  if (!endsAt) return ttl;
  const seconds = Math.floor((endsAt.getTime() - now.getTime()) / 1000);
  if (seconds < 1) throw new DomainException('CALL_ACCESS_DENIED', 'The call has reached its scheduled end');
  return Math.min(ttl, seconds);
}

/**
 * Issues Agora RTC tokens to admitted participants only: the caller must have an open session
 * in the call that owns the channel and pass the one admission rule (`admissionRefusal`: not
 * ended, not removed; a paused call lets those in renew). Each uid is bound to one member per
 * call, so nobody can get a token to publish as someone else; without a uid in the request the
 * token is for the uid the service assigned the caller at join. A member who may not publish some
 * media (muted) gets tokens without those privileges, under any uid, covered by Agora's kicking
 * rules for their whole lifetime when REST credentials are set (`PublishRestrictions`).
 */
@Injectable()
export class TokensService {
  private readonly logger = new Logger(TokensService.name);

  constructor(
    private readonly repository: TokensRepository,
    @Inject(agoraConfig.KEY) private readonly agora: ConfigType<typeof agoraConfig>,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly assigned: AssignedUids,
    private readonly calls: CallsService,
    private readonly restrictions: PublishRestrictions,
    @Inject(scheduleConfig.KEY) private readonly schedule: ConfigType<typeof scheduleConfig>,
    private readonly mediaKeys: MediaKeys,
  ) {}

  async issue(user: AuthUser, dto: CreateTokenDto): Promise<RtcTokenDto> {
    // Fresh from the database in one round trip, so a leave, removal or end on any instance
    // refuses the very next token.
    const admission = await this.repository.tokenAdmission(dto.channelName, user.id, dto.uid);
    // Access first, whatever the body says about the uid: the one admission rule (a paused call
    // keeps those in; whoever waits in a call's lobby is refused by the rule itself), and a token
    // is only for someone in the call.
    const at = { now: this.clock.now(), joinEarlyMinutes: this.schedule.joinEarlyMinutes };
    const refused = !admission || admissionRefusal({ ...admission, inCall: admission.sessionId !== null }, user, at) !== null;
    if (!admission || refused || admission.sessionId === null) throw new DomainException('CALL_ACCESS_DENIED', ACCESS_DENIED);
    // A scheduled call in its last second gives no token: refused before any uid is bound.
    untilEnd(this.agora.tokenTtlSeconds, admission.endsAt, at.now);
    // An encrypted call's key (issue 26), from the same round trip: the join that opened the session wrote it.
    const mediaKey = this.mediaKeyOf(admission);
    // What the caller may not publish here (a mute, a stage demotion): their member row, read in the same round trip.
    let forbidden = forbiddenPrivileges(admission.muted);
    // On a stage a listener's tokens subscribe only; asking to publish is refused.
    let listener = stageRoleOf(admission.mode, admission) === 'listener';
    if (listener && dto.role === 'publisher') throw new DomainException('NOT_A_SPEAKER');
    let uid: number;
    let bound = false;
    if (dto.uid !== undefined) {
      uid = dto.uid;
      // Bound on its first use; another member asking for it (first, or at the same time) gets 409.
      if (admission.boundUserId === null) {
        if (!(await this.assigned.bindPicked(admission.callId, dto.uid, user.id))) throw new DomainException('UID_TAKEN', UID_TAKEN);
        bound = true;
      } else if (admission.boundUserId !== user.id) throw new DomainException('UID_TAKEN', UID_TAKEN);
    } else if (admission.uid !== null) {
      uid = admission.uid;
    } else {
      // Without a uid the token is for the caller's assigned uid (every join assigns one; a
      // session opened before uids were assigned gets one now).
      uid = await this.tx.run((manager) => this.assigned.ensure(manager, admission.callId, user.id, this.clock.now()));
      bound = true;
    }
    // A uid new to the member: their row again, read after the binding committed, so that a mute
    // or a removal committed meanwhile is seen here, or sees this uid itself (it reads the uids
    // after its own commit: PublishRestrictions.enforce, the removal's kick).
    if (bound) {
      const member = await this.calls.member(admission.callId, user.id);
      if (member?.removedAt) throw new DomainException('CALL_ACCESS_DENIED', ACCESS_DENIED);
      forbidden = forbiddenPrivileges(member);
      listener = stageRoleOf(admission.mode, member && { speaker: member.speakerAt !== null }) === 'listener';
      if (listener && dto.role === 'publisher') throw new DomainException('NOT_A_SPEAKER');
    }
    const now = this.clock.now();
    const ttl = await this.lifetime(admission, user.id, uid, forbidden, now);
    const issued = this.build(dto.channelName, uid, listener ? 'subscriber' : (dto.role ?? 'publisher'), ttl, forbidden);
    await this.recordToken(admission, new Date(now.getTime() + ttl * 1000), now);
    tokensIssued.inc();
    return mediaKey ? { ...issued, encryption: { mode: mediaKey.mode, key: mediaKey.key, salt: mediaKey.salt } } : issued;
  }

  /** The call's media key for an admitted caller; undefined without encryption, 400 ENCRYPTION_UNAVAILABLE when it cannot be opened here. */
  private mediaKeyOf(admission: TokenAdmission): MediaKey | undefined {
    if (admission.encryption === 'none') return undefined;
    const sealed = admission.sealedKey?.mode === admission.encryption ? admission.sealedKey.sealed : null;
    const opened = this.mediaKeys.open(admission.callId, admission.encryption, sealed);
    if (!opened) throw new DomainException('ENCRYPTION_UNAVAILABLE', 'The call\'s media key is not available: join the call again');
    return opened;
  }

  /**
   * The token's lifetime: the configured one, never past a scheduled call's `endsAt` (whole
   * seconds, rounded down, so Agora drops every client by the end even if the end's kick fails),
   * except for a member who may not publish some media
   * when Agora REST credentials are set. Their kicking rules must cover the token's whole lifetime
   * before it is answered (`PublishRestrictions.cover` posts what is missing); when Agora did not
   * accept a rule, the token ends when the rules in force do, and with less than a minute of
   * those left it is refused (503, try again).
   */
  private async lifetime(admission: TokenAdmission, userId: number, uid: number, forbidden: MutePrivilege[], now: Date): Promise<number> {
    const ttl = untilEnd(this.agora.tokenTtlSeconds, admission.endsAt, now);
    if (forbidden.length === 0 || !this.restrictions.isConfigured()) return ttl;
    const until = new Date(now.getTime() + ttl * 1000);
    const covered = await this.restrictions.cover(admission.callId, userId, admission.channelName, uid, forbidden, until);
    if (covered >= until) return ttl;
    const seconds = Math.floor((covered.getTime() - now.getTime()) / 1000);
    if (seconds < MIN_COVERED_TOKEN_SECONDS) throw new DomainException('MUTE_ENFORCEMENT_UNAVAILABLE', undefined, { retryAfterSeconds: 5 });
    return seconds;
  }

  /**
   * A token request is evidence that the member is there: the session's last-seen time moves
   * with its newest expiry. Written only when the expiry moves by more than `TOKEN_EXPIRY_LAG_MS`,
   * so renewals in a burst cost one write (the sweeper allows for that lag).
   */
  private async recordToken(admission: Pick<TokenAdmission, 'sessionId' | 'tokenExpiresAt'>, expiresAt: Date, now: Date): Promise<void> {
    if (admission.tokenExpiresAt && admission.tokenExpiresAt.getTime() >= expiresAt.getTime() - TOKEN_EXPIRY_LAG_MS) return;
    await this.tx.run((manager) => this.repository.recordToken(manager, admission.sessionId!, expiresAt, now));
  }

  /**
   * An AccessToken2 for the uid, valid `ttl` seconds. A publisher gets every publish privilege
   * but the `forbidden` ones (a muted member's media); a subscriber (a stage listener, or who
   * asked for it) none. Agora enforces those privileges once co-host authentication is on for the
   * project (without it, the kicking rules do, where there are any).
   */
  private build(channelName: string, uid: number, role: 'publisher' | 'subscriber', ttl: number, forbidden: MutePrivilege[]): RtcTokenDto {
    // Real time, not the service clock: agora-token stamps the token with it, and Agora checks it.
    const issuedAt = Math.floor(Date.now() / 1000);
    let token: string;
    try {
      // Both expiries are RELATIVE seconds from now (AccessToken2).
      token =
        forbidden.length === 0
          ? RtcTokenBuilder.buildTokenWithUid(this.agora.appId, this.agora.appCertificate, channelName, uid, role === 'publisher' ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER, ttl, ttl)
          : this.buildWithout(channelName, uid, role, ttl, forbidden);
    } catch (error) {
      this.logger.error({ msg: 'Agora token generation failed', channelName, err: (error as Error).message });
      throw new DomainException('TOKEN_GENERATION_FAILED', 'Token generation failed');
    }
    if (!token) {
      this.logger.error({ msg: 'Agora token generation returned nothing', channelName });
      throw new DomainException('TOKEN_GENERATION_FAILED', 'Token generation failed');
    }
    return { token, appId: this.agora.appId, channelName, uid, expiresAt: issuedAt + ttl, role };
  }

  /** What RtcTokenBuilder builds for the role, minus the forbidden publish privileges (it cannot leave some out). */
  private buildWithout(channelName: string, uid: number, role: 'publisher' | 'subscriber', ttl: number, forbidden: MutePrivilege[]): string {
    const token = new AccessToken2(this.agora.appId, this.agora.appCertificate, 0, ttl);
    const rtc = new ServiceRtc(channelName, uid);
    rtc.add_privilege(ServiceRtc.kPrivilegeJoinChannel, ttl);
    if (role === 'publisher') {
      if (!forbidden.includes('publish_audio')) rtc.add_privilege(ServiceRtc.kPrivilegePublishAudioStream, ttl);
      if (!forbidden.includes('publish_video')) rtc.add_privilege(ServiceRtc.kPrivilegePublishVideoStream, ttl);
      rtc.add_privilege(ServiceRtc.kPrivilegePublishDataStream, ttl);
    }
    token.add_service(rtc);
    return token.build();
  }
}
