import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AgoraChannelService, KickOutcome, MAX_BAN_SECONDS, banSecondsFor } from '../agora/agora-channel.service';
import { AssignedUids } from '../calls/assigned-uids.service';
import { CallsService } from '../calls/calls.service';
import type { CallMember } from '../calls/entities/call-member.entity';
import { Clock } from '../common/clock';
import { agoraConfig } from '../config/agora.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { MutePrivilege, MuteRule } from './entities/mute-rule.entity';
import { ModerationRepository } from './moderation.repository';

export const PUBLISH_PRIVILEGES: readonly MutePrivilege[] = ['publish_audio', 'publish_video'];

/**
 * What a member may not publish in a call now, with kicking rules behind it: the one place that
 * says it, from their member row. A mute forbids its medium. A stage demotion (a speaker made a
 * listener again, or stepping down: `demoted_at` set, `speaker_at` not) forbids both, so a
 * publisher token they still hold is covered by rules, until they are a speaker again. The token
 * path and the Agora rules below follow whatever this says. (A listener who never spoke gets
 * subscriber tokens and no rules: `src/calls/stage-roles.ts`, and the README's Stages.)
 */
export function forbiddenPrivileges(
  member: (Pick<CallMember, 'audioMutedAt' | 'videoMutedAt'> & Partial<Pick<CallMember, 'demotedAt' | 'speakerAt'>>) | { audio: boolean; video: boolean; demoted?: boolean } | null,
): MutePrivilege[] {
  if (!member) return [];
  const demoted = 'audio' in member ? member.demoted === true : (member.demotedAt ?? null) !== null && (member.speakerAt ?? null) === null;
  const audio = demoted || ('audio' in member ? member.audio : member.audioMutedAt !== null);
  const video = demoted || ('video' in member ? member.video : member.videoMutedAt !== null);
  return [...(audio ? (['publish_audio'] as const) : []), ...(video ? (['publish_video'] as const) : [])];
}

/**
 * The latest a kept rule can end at Agora: until then it is deleted there when lifted. A rule
 * kept before ends were recorded was made for at most Agora's longest after its creation.
 */
export function ruleEnd(rule: Pick<MuteRule, 'expiresAt' | 'createdAt'>): Date {
  return rule.expiresAt ?? new Date(rule.createdAt.getTime() + MAX_BAN_SECONDS * 1000);
}

/** How long a kept rule surely covers: its recorded end; a rule kept before ends were recorded covers nothing for sure. */
export function ruleCovers(rule: Pick<MuteRule, 'expiresAt' | 'createdAt'>): Date {
  return rule.expiresAt ?? rule.createdAt;
}

/**
 * Keeps a member from publishing what `forbiddenPrivileges` forbids, under every uid and through
 * every renewal, and lifts it completely when it no longer does.
 *
 * - Tokens: the token path leaves the forbidden publish privileges out of every token it gives
 *   the member (Agora enforces that once co-host authentication is on for the project), and,
 *   with Agora REST credentials, asks `cover` before answering: each forbidden privilege of that
 *   uid has a kicking rule lasting at least until the token expires (Agora enforces those
 *   without co-host authentication). A rule that would end sooner is replaced by a new one first.
 * - Changes (mute, unmute): `enforce` after the change committed brings every uid bound to the
 *   member in line: rules posted where one is missing or ends before a token given now would,
 *   and every rule of a privilege no longer forbidden deleted.
 *
 * Races: each side writes before it reads the other's state. A new uid is bound (committed)
 * before the token path reads the flags again, and a change commits its flags before `enforce`
 * reads the uids, so one of the two always sees the other. After posting, the flags are read
 * again, so a rule posted while an unmute committed is deleted by whichever comes last.
 * Agora is never called inside a transaction.
 */
@Injectable()
export class PublishRestrictions {
  constructor(
    private readonly repository: ModerationRepository,
    private readonly calls: CallsService,
    private readonly uids: AssignedUids,
    private readonly agora: AgoraChannelService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(agoraConfig.KEY) private readonly config: ConfigType<typeof agoraConfig>,
  ) {}

  /** Whether Agora rules are made at all (REST credentials configured). */
  isConfigured(): boolean {
    return this.agora.isConfigured();
  }

  /**
   * After a change of what the member may publish committed: rules for every uid bound to them,
   * covering any token they may hold now, for each forbidden privilege; none for the others.
   * `applied` when Agora accepted every request sent, `skipped` when none was needed (or no
   * credentials), `failed` when any failed (asking again retries).
   */
  async enforce(callId: number, userId: number, channelName: string): Promise<KickOutcome> {
    if (!this.agora.isConfigured()) return 'skipped';
    const forbidden = forbiddenPrivileges(await this.calls.member(callId, userId));
    const uids = (await this.uids.uidsOf(callId, [userId])).get(userId) ?? [];
    const until = new Date(this.clock.now().getTime() + this.config.tokenTtlSeconds * 1000);
    const kept = await this.repository.muteRulesOf(callId, userId, forbidden);
    const outcomes: KickOutcome[] = [];
    for (const uid of uids) {
      for (const privilege of forbidden) outcomes.push((await this.ensureRule(callId, userId, channelName, uid, privilege, until, kept)).outcome);
    }
    outcomes.push(...(await this.liftUnforbidden(callId, userId)));
    return combine(outcomes);
  }

  /**
   * Before a token for `uid` expiring at `until` is given to a member who may not publish
   * `privileges`: makes sure a rule for each lasts until then. Answers how long the rules in force
   * cover the uid (`until` when they all do; earlier when Agora did not accept a new rule).
   */
  async cover(callId: number, userId: number, channelName: string, uid: number, privileges: MutePrivilege[], until: Date): Promise<Date> {
    const kept = await this.repository.muteRulesOf(callId, userId, privileges);
    let covered = until;
    for (const privilege of privileges) {
      const { end } = await this.ensureRule(callId, userId, channelName, uid, privilege, until, kept);
      if (end < covered) covered = end;
    }
    await this.liftUnforbidden(callId, userId);
    return covered;
  }

  /**
   * A rule for this uid and privilege that lasts until `until`: the one kept, or a new one (then
   * the kept ones it replaces are deleted). Answers when the rules in force end.
   */
  private async ensureRule(
    callId: number,
    userId: number,
    channelName: string,
    uid: number,
    privilege: MutePrivilege,
    until: Date,
    kept: MuteRule[],
  ): Promise<{ outcome: KickOutcome; end: Date }> {
    const now = this.clock.now();
    const mine = kept.filter((rule) => rule.uid === uid && rule.privilege === privilege);
    const inForce = mine.map(ruleCovers).reduce((latest, end) => (end > latest ? end : latest), now);
    if (inForce >= until) return { outcome: 'skipped', end: inForce };
    const seconds = banSecondsFor(this.config.tokenTtlSeconds);
    const posted = await this.agora.muteUser(channelName, uid, privilege);
    if (posted.ruleId === undefined) return { outcome: posted.outcome, end: inForce };
    const end = new Date(now.getTime() + seconds * 1000);
    await this.tx.run((manager) => this.repository.keepMuteRules(manager, [{ callId, userId, uid, privilege, ruleId: posted.ruleId!, createdAt: now, expiresAt: end }]));
    // The rules it replaces end sooner: deleted (at Agora when still in force), best effort.
    await this.forget(mine, now);
    return { outcome: 'applied', end };
  }

  /** Deletes every kept rule of a privilege the member may publish now (read fresh), for all their uids. */
  private async liftUnforbidden(callId: number, userId: number): Promise<KickOutcome[]> {
    const forbidden = forbiddenPrivileges(await this.calls.member(callId, userId));
    const allowed = PUBLISH_PRIVILEGES.filter((privilege) => !forbidden.includes(privilege));
    return this.forget(await this.repository.muteRulesOf(callId, userId, allowed), this.clock.now());
  }

  /** Deletes rules at Agora (those still in force) and forgets those deleted or ended. */
  private async forget(rules: MuteRule[], now: Date): Promise<KickOutcome[]> {
    const outcomes = await Promise.all(rules.map(async (rule) => ({ rule, outcome: ruleEnd(rule) <= now ? ('skipped' as const) : await this.agora.deleteRule(rule.ruleId) })));
    const gone = outcomes.filter((o) => o.outcome !== 'failed').map((o) => o.rule.id);
    if (gone.length > 0) await this.tx.run((manager) => this.repository.forgetMuteRules(manager, gone));
    return outcomes.map((o) => o.outcome);
  }
}

/** One outcome for several Agora requests: failed if any failed, skipped if none were sent. */
export function combine(outcomes: KickOutcome[]): KickOutcome {
  if (outcomes.includes('failed')) return 'failed';
  if (outcomes.includes('applied')) return 'applied';
  return 'skipped';
}
